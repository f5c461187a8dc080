import Dispatch
import Synchronization

extension Storage {
    /// Calls `reached` once with the revision reached, as soon as the store's revision is at least
    /// `revision` or once `timeout` has passed, whichever comes first. Nothing waits meanwhile: a
    /// listener and a Dispatch timer stand in for the blocked thread of `waitForRevision`, so a caller
    /// holding a suspended connection can wait without holding a serving thread.
    ///
    /// `reached` runs on `queue`, never on the writer's thread (listeners run under the store's lock).
    public func notifyWhenRevision(_ revision: Int64, timeout: Duration, queue: DispatchQueue = .global(),
                                   _ reached: @escaping @Sendable (Int64) -> Void) {
        let notification = RevisionNotification(storage: self, queue: queue, reached)
        notification.listen(for: revision)
        let (seconds, attoseconds) = timeout.components
        let nanos = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        queue.asyncAfter(deadline: .now() + .nanoseconds(nanos)) { notification.fire() }
    }
}

/// One pending `notifyWhenRevision`: fires once, from the first of the listener, the timer and the
/// check made right after the listener was added (the revision may be reached before it was).
final class RevisionNotification: Sendable {
    private struct State {
        var triggered = false
        var done = false
        var token: ListenerToken?
    }
    private let state = Mutex(State())
    private let storage: any Storage
    private let queue: DispatchQueue
    private let reached: @Sendable (Int64) -> Void

    init(storage: any Storage, queue: DispatchQueue, _ reached: @escaping @Sendable (Int64) -> Void) {
        self.storage = storage; self.queue = queue; self.reached = reached
    }

    func listen(for revision: Int64) {
        if storage.currentRevision >= revision { return trigger() }
        let token = storage.addListener { [self] event in
            if event.revision >= revision { trigger() }
        }
        let done = state.withLock { s in
            if !s.done { s.token = token }
            return s.done
        }
        if done { storage.removeListener(token) }
        if storage.currentRevision >= revision { trigger() }
    }

    /// Also called from the listener, under the store's lock: only hands off to the queue, once.
    private func trigger() {
        let first = state.withLock { s in
            defer { s.triggered = true }
            return !s.triggered && !s.done
        }
        if first { queue.async { [self] in fire() } }
    }

    /// Runs `reached` the first time it is called (after a trigger or at the deadline).
    func fire() {
        let (first, token): (Bool, ListenerToken?) = state.withLock { s in
            defer { s.done = true; s.token = nil }
            return (!s.done, s.token)
        }
        if let token { storage.removeListener(token) }
        if first { reached(storage.currentRevision) }
    }
}
