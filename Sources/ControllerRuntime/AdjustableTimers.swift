import APIMachinery
import Dispatch
import Foundation
import Synchronization

/// The cluster's clock for end-to-end tests (`serve --testing-clock`): the wall clock plus an
/// offset that only grows. Delayed work runs when its delay has passed in real time, or at once
/// when the clock is moved past its due time, so a test can make a CronJob's next schedule or a
/// Job's backoff arrive without waiting, while everything else keeps running at real speed.
/// Never used unless that flag is given.
public final class AdjustableTimers: Timers, Sendable {
    private struct Pending { let due: Date; let sequence: Int; let work: @Sendable () -> Void }
    private struct State { var offset: TimeInterval = 0; var pending: [Int: Pending] = [:]; var sequence = 0 }
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "kubelite.testing-clock")

    public init() {}

    public func now() -> Date { Date().addingTimeInterval(state.withLock { $0.offset }) }

    /// How far ahead of the wall clock the cluster's clock is.
    public var offset: TimeInterval { state.withLock { $0.offset } }

    public func after(_ delay: Duration, _ work: @escaping @Sendable () -> Void) {
        let id = state.withLock { s -> Int in
            s.sequence += 1
            s.pending[s.sequence] = Pending(due: Date().addingTimeInterval(s.offset + delay.seconds), sequence: s.sequence, work: work)
            return s.sequence
        }
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(max(0, delay.seconds) * 1e9))) { [self] in fire(id) }
    }

    /// Moves the clock forward; work now due runs at once, in due order.
    public func advance(by interval: TimeInterval) {
        let due = state.withLock { s -> [Pending] in
            s.offset += max(0, interval)
            let now = Date().addingTimeInterval(s.offset)
            let ready = s.pending.values.filter { $0.due <= now }.sorted { ($0.due, $0.sequence) < ($1.due, $1.sequence) }
            for p in ready { s.pending[p.sequence] = nil }
            return ready
        }
        for p in due { queue.async(execute: p.work) }
    }

    private func fire(_ id: Int) {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        pending.work()
    }
}
