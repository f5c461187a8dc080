import ControllerRuntime
import Foundation

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
