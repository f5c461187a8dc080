import ControllerRuntime
import Foundation
import KubeliteTesting
import Registry
import Storage

/// Waits until the registry's watch hub has delivered every change made before the call. The hub hands out
/// changes and registers new watches on one serial worker, in the order they were queued, so once
/// a watch opened now has received its initial bookmark, every earlier change has reached every
/// consumer (and the informers' handlers have run).
final class HubBarrier: WatchConsumer, @unchecked Sendable {
    private let condition = NSCondition()
    private var passed = false

    /// Returns false if the hub did not get there within `timeout` seconds.
    @discardableResult
    static func pass(_ registry: Registry, timeout: TimeInterval = 10) -> Bool {
        let barrier = HubBarrier()
        // A namespace nothing lives in: the initial state is empty, only the bookmark comes.
        let handle = registry.store(group: "", plural: "pods")!.watch(namespace: "kubelite-hub-barrier", start: .initialEventsWithBookmark,
                                                                      consumer: barrier, timeout: .seconds(3600))
        defer { handle.stop() }
        let deadline = Date().addingTimeInterval(timeout)
        barrier.condition.lock(); defer { barrier.condition.unlock() }
        while !barrier.passed { if !barrier.condition.wait(until: deadline) { return barrier.passed } }
        return true
    }

    private func open() { condition.lock(); passed = true; condition.broadcast(); condition.unlock() }

    func receive(_ event: WatchEvent) -> Bool { true }
    func bookmark(revision: Int64, initialEventsEnd: Bool) -> Bool {
        if initialEventsEnd { open() }
        return true
    }
    func fail(_ failure: WatchFailure) { open() }
    func finish() { open() }
}
