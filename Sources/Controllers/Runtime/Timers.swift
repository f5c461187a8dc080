import APIMachinery
import Dispatch
import Foundation
import Synchronization

/// Time for controllers: "now" plus delayed work. Controllers and queues take a `Timers` so tests
/// drive them with `ManualTimers` and never sleep.
public protocol Timers: Clock {
    /// Runs `work` once `delay` has passed (never on the caller's stack).
    func after(_ delay: Duration, _ work: @escaping @Sendable () -> Void)
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

/// Timers that move only when a test says so: `advance(by:)` runs, in time order, every piece of
/// work that falls due.
public final class ManualTimers: Timers, @unchecked Sendable {
    private struct Pending { let due: Date; let sequence: Int; let work: @Sendable () -> Void }
    private let lock = NSLock()
    private var current: Date
    private var pending: [Pending] = []
    private var sequence = 0

    public init(start: Date = Date(timeIntervalSince1970: 1_700_000_000)) { current = start }

    public func now() -> Date { lock.lock(); defer { lock.unlock() }; return current }

    public func after(_ delay: Duration, _ work: @escaping @Sendable () -> Void) {
        lock.lock()
        sequence += 1
        pending.append(Pending(due: current.addingTimeInterval(delay.seconds), sequence: sequence, work: work))
        lock.unlock()
    }

    /// Number of scheduled pieces of work not yet run.
    public var pendingCount: Int { lock.lock(); defer { lock.unlock() }; return pending.count }

    /// Moves time forward, running due work (including work it schedules that is also due).
    public func advance(by interval: Duration) {
        lock.lock()
        let target = current.addingTimeInterval(interval.seconds)
        lock.unlock()
        while true {
            lock.lock()
            guard let next = pending.filter({ $0.due <= target }).min(by: { ($0.due, $0.sequence) < ($1.due, $1.sequence) }) else {
                current = target
                lock.unlock()
                return
            }
            pending.removeAll { $0.sequence == next.sequence }
            current = max(current, next.due)
            lock.unlock()
            next.work()
        }
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    public var seconds: TimeInterval {
        let (s, atto) = components
        return TimeInterval(s) + TimeInterval(atto) / 1e18
    }
}
