import Foundation

/// Upstream's wait.Backoff as retry loops use it: at most `steps` attempts, waiting `duration`
/// (grown by `factor`, plus up to `jitter` times itself at random) between two attempts.
public struct Backoff: Sendable, Equatable {
    public var steps: Int
    public var duration: Duration
    public var factor: Double
    public var jitter: Double

    public init(steps: Int, duration: Duration, factor: Double, jitter: Double) {
        self.steps = steps; self.duration = duration; self.factor = factor; self.jitter = jitter
    }

    /// client-go's retry.DefaultRetry: for conflicts with other writers that are expected to clear
    /// quickly, five attempts 10ms apart.
    public static let defaultRetry = Backoff(steps: 5, duration: .milliseconds(10), factor: 1.0, jitter: 0.1)

    /// The wait before attempt `attempt + 1` (attempt counts from 0), jittered as
    /// wait.Jitter does: `d + rand[0,1) * jitter * d`.
    public func delay(after attempt: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
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
