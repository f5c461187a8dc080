import Dispatch
import Synchronization

/// Callers waiting for the watch to bring a revision into the cache: writers (read-your-writes) and
/// consistent reads. The watch thread releases them once per batch it applies, instead of each waiter
/// adding a listener to the cache: with 50 writes in flight that was 50 closures run under the cache's
/// lock for every event, and two acquisitions of that lock per write, contended with the watch's own.
final class EtcdRevisionWaiters: Sendable {
    private struct Waiter {
        let revision: Int64
        let id: Int
        /// Runs once, on the releasing thread: it must be quick (signal, or hand off to a queue).
        let wake: @Sendable () -> Void
    }
    private struct State {
        var waiters: [Waiter] = []
        var nextID = 0
    }
    private let state = Mutex(State())

    /// Waits until `current()` reaches `revision` or `timeout` passes; returns `current()`.
    /// `current` must be updated before `release` is called with the same revision.
    func wait(for revision: Int64, timeout: Duration, current: () -> Int64) -> Int64 {
        if current() >= revision { return current() }
        let semaphore = DispatchSemaphore(value: 0)
        let id = add(revision) { semaphore.signal() }
        // Reached between the first check and the registration: its release may have missed us.
        if current() < revision {
            _ = semaphore.wait(timeout: .now() + timeout.dispatchInterval)
        }
        remove(id)
        return current()
    }

    /// Calls `then` with `current()` once it reaches `revision` or `timeout` passes, on a Dispatch
    /// thread; nothing waits meanwhile.
    func notify(for revision: Int64, timeout: Duration, current: @escaping @Sendable () -> Int64,
                then: @escaping @Sendable (Int64) -> Void) {
        if current() >= revision {
            DispatchQueue.global().async { then(current()) }
            return
        }
        let id = add(revision) { DispatchQueue.global().async { then(current()) } }
        if current() >= revision {
            if remove(id) { DispatchQueue.global().async { then(current()) } }
            return
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout.dispatchInterval) { [self] in
            if remove(id) { then(current()) }
        }
    }

    /// Wakes every waiter for `revision` or an older one.
    func release(upTo revision: Int64) {
        let due = state.withLock { s -> [Waiter] in
            guard s.waiters.contains(where: { $0.revision <= revision }) else { return [] }
            let due = s.waiters.filter { $0.revision <= revision }
            s.waiters.removeAll { $0.revision <= revision }
            return due
        }
        for waiter in due { waiter.wake() }
    }

    private func add(_ revision: Int64, wake: @escaping @Sendable () -> Void) -> Int {
        state.withLock { s -> Int in
            s.nextID += 1
            s.waiters.append(Waiter(revision: revision, id: s.nextID, wake: wake))
            return s.nextID
        }
    }

    /// Whether the waiter was still registered (so neither a release nor its timeout has woken it).
    @discardableResult
    private func remove(_ id: Int) -> Bool {
        state.withLock { s -> Bool in
            guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return false }
            s.waiters.remove(at: index)
            return true
        }
    }
}

extension Duration {
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
