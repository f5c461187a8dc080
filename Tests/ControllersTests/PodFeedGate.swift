import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage

/// Stands between the watch hub and an informer, so a test can make the informer's cache lag:
/// once closed, events are held (in order) until `open`, as a slow informer would see them.
final class PodFeedGate: WatchConsumer, @unchecked Sendable {
    private let lock = NSLock()
    private let target: Informer
    private var held: [WatchEvent] = []
    private var closeOnDeletion = false
    private var closed = false

    init(_ target: Informer) { self.target = target }

    /// Feeds `target` from a watch on `store` and waits for its initial state.
    func start(on store: ResourceStore) {
        store.watch(namespace: nil, start: .initialEventsWithBookmark, consumer: self, timeout: .seconds(3600))
        target.waitForSync()
    }

    /// Closes the gate at the next deletion: it and every later event are held.
    func closeAtNextDeletion() { lock.lock(); closeOnDeletion = true; lock.unlock() }

    var heldCount: Int { lock.lock(); defer { lock.unlock() }; return held.count }

    /// Delivers the held events in order and lets later ones through.
    func open() {
        lock.lock(); defer { lock.unlock() }
        closed = false
        closeOnDeletion = false
        for event in held { _ = target.receive(event) }
        held = []
    }

    func receive(_ event: WatchEvent) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if closeOnDeletion, case .deleted = event { closed = true }
        if closed { held.append(event); return true }
        return target.receive(event)
    }

    func bookmark(revision: Int64, initialEventsEnd: Bool) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return closed ? true : target.bookmark(revision: revision, initialEventsEnd: initialEventsEnd)
    }

    func fail(_ failure: WatchFailure) {}
    func finish() {}
}
