import Foundation

/// Upstream's wait.Backoff as retry loops use it: at most `steps` attempts, waiting `duration`
/// (grown by `factor`, plus up to `jitter` times itself at random) between two attempts.
public struct Backoff: Sendable, Equatable {
    public var steps: Int
    public var duration: Duration
    public var factor: Double
    public var jitter: Double
    /// Whether the first retry runs at once (see `cachedCopyRetry`).
    public var firstRetryAtOnce: Bool

    public init(steps: Int, duration: Duration, factor: Double, jitter: Double, firstRetryAtOnce: Bool = false) {
        self.steps = steps; self.duration = duration; self.factor = factor; self.jitter = jitter
        self.firstRetryAtOnce = firstRetryAtOnce
    }

    /// client-go's retry.DefaultRetry: for conflicts with other writers that are expected to clear
    /// quickly, five attempts 10ms apart.
    public static let defaultRetry = Backoff(steps: 5, duration: .milliseconds(10), factor: 1.0, jitter: 0.1)

    /// DefaultRetry for a write whose first attempt starts from an informer's copy and whose retries
    /// read the store itself. The first conflict then only says the cache was behind (most often
    /// the controller's own previous write has not reached it yet), and the store's copy cannot be
    /// behind that way, so the first retry runs at once; conflicts after it come from other writers
    /// and wait as DefaultRetry does. (client-go's retries read the lister again, which can still be
    /// behind, hence its wait; waiting here would add 10 ms to every such write.)
    public static let cachedCopyRetry = Backoff(steps: 5, duration: .milliseconds(10), factor: 1.0, jitter: 0.1,
                                                firstRetryAtOnce: true)

    /// The wait before attempt `attempt + 1` (attempt counts from 0), jittered as
    /// wait.Jitter does: `d + rand[0,1) * jitter * d`.
    public func delay(after attempt: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        if firstRetryAtOnce, attempt == 0 { return .zero }
        var base = duration.seconds
        if factor != 0 { for _ in 0..<attempt { base *= factor } }
        let jittered = jitter > 0 ? base + random * jitter * base : base
        return .nanoseconds(Int64(jittered * 1e9))
    }

    /// Blocks the calling thread: for worker threads only, never a libmicrohttpd thread.
    @Sendable public static func threadSleep(_ duration: Duration) {
        Thread.sleep(forTimeInterval: duration.seconds)
    }
}
