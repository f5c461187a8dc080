import Dispatch
import Synchronization

/// Writers waiting for the watch to bring their revision into the cache (read-your-writes). The
/// watch thread releases them once per batch it applies, instead of each waiter adding a listener
/// to the cache: with 50 writes in flight that was 50 closures run under the cache's lock for every
/// event, and two acquisitions of that lock per write, contended with the watch's own.
final class EtcdRevisionWaiters: Sendable {
    private struct Waiter {
        let revision: Int64
        let id: Int
        let semaphore: DispatchSemaphore
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
        let id = state.withLock { s -> Int in
            s.nextID += 1
            s.waiters.append(Waiter(revision: revision, id: s.nextID, semaphore: semaphore))
            return s.nextID
        }
        // Reached between the first check and the registration: its release may have missed us.
        if current() < revision {
            let (seconds, attoseconds) = timeout.components
            _ = semaphore.wait(timeout: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)))
        }
        state.withLock { s in s.waiters.removeAll { $0.id == id } }
        return current()
    }

    /// Wakes every waiter for `revision` or an older one.
    func release(upTo revision: Int64) {
        let due = state.withLock { s -> [DispatchSemaphore] in
            guard s.waiters.contains(where: { $0.revision <= revision }) else { return [] }
            let due = s.waiters.filter { $0.revision <= revision }.map(\.semaphore)
            s.waiters.removeAll { $0.revision <= revision }
            return due
        }
        for semaphore in due { semaphore.signal() }
    }
}
