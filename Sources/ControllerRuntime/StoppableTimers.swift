import Foundation
import Synchronization

/// Timers that can be stopped for good: once `stop` runs, work that falls due is dropped and
/// `whenStopped` work runs (at once for work registered later). Controllers that run only while
/// their replica leads get these: their periodic work (resyncs, node heartbeats) and their work
/// queues end with the term, without each controller having a stop of its own.
public final class StoppableTimers: Timers, Sendable {
    private struct State { var stopped = false; var onStop: [@Sendable () -> Void] = [] }
    private let base: any Timers
    private let state = Mutex(State())

    public init(_ base: any Timers) { self.base = base }

    public func now() -> Date { base.now() }

    public var isStopped: Bool { state.withLock { $0.stopped } }

    public func after(_ delay: Duration, _ work: @escaping @Sendable () -> Void) {
        base.after(delay) { [self] in
            if !isStopped { work() }
        }
    }

    public func whenStopped(_ work: @escaping @Sendable () -> Void) {
        let already = state.withLock { s -> Bool in
            if !s.stopped { s.onStop.append(work) }
            return s.stopped
        }
        if already { work() }
    }

    /// Stops the timers; a second call does nothing.
    public func stop() {
        let pending = state.withLock { s -> [@Sendable () -> Void] in
            guard !s.stopped else { return [] }
            s.stopped = true
            defer { s.onStop = [] }
            return s.onStop
        }
        for work in pending { work() }
    }
}
