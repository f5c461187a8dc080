import APIMachinery
import Dispatch
import Foundation
import Synchronization

/// Time for controllers: "now" plus delayed work. Controllers and queues take a `Timers` so tests
/// drive them with `ManualTimers` and never sleep.
public protocol Timers: Clock {
    /// Runs `work` once `delay` has passed (never on the caller's stack).
    func after(_ delay: Duration, _ work: @escaping @Sendable () -> Void)
    /// Runs `work` once these timers stop for good (`StoppableTimers.stop`), so what was made on
    /// them (work queues) stops with them. Timers that never stop ignore it.
    func whenStopped(_ work: @escaping @Sendable () -> Void)
}

extension Timers {
    public func whenStopped(_ work: @escaping @Sendable () -> Void) {}
}

/// Wall-clock timers on a Dispatch queue.
public struct SystemTimers: Timers {
    let queue: DispatchQueue
    public init(queue: DispatchQueue = DispatchQueue(label: "kubelite.timers")) { self.queue = queue }
    public func now() -> Date { Date() }
    public func after(_ delay: Duration, _ work: @escaping @Sendable () -> Void) {
        let (seconds, attoseconds) = delay.components
        let nanos = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(max(0, nanos))), execute: work)
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    public var seconds: TimeInterval {
        let (s, atto) = components
        return TimeInterval(s) + TimeInterval(atto) / 1e18
    }
}
