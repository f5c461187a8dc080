import Foundation

/// The pause before an informer lists again after its watch failed or ended: client-go's
/// reflector backoff (wait.NewExponentialBackoffManager(800ms, 30s, 2m, 2.0, 1.0)). Each pause
/// doubles up to the cap, with up to 100% jitter so informers cut together do not relist together;
/// a source that stayed healthy for `resetAfter` since the last pause starts again from `initial`.
public struct ReflectorBackoff: Sendable {
    public var initial: Duration = .milliseconds(800)
    public var cap: Duration = .seconds(30)
    public var factor: Double = 2
    public var jitter: Double = 1
    public var resetAfter: Duration = .seconds(120)
    private var next: Duration?
    private var lastStart: Date?

    public init() {}

    /// The next pause, given the time now and a random number in 0..<1.
    public mutating func pause(now: Date, random: Double) -> Duration {
        if let lastStart, now.timeIntervalSince(lastStart) > resetAfter.seconds { next = nil }
        lastStart = now
        let base = next ?? initial
        let grown = base * factor
        next = grown > cap ? cap : grown
        return base + base * (random * jitter)
    }
}
