import APIMachinery
import Foundation
import KubeliteTesting
import Storage
import XCTest

/// Fan-out: order, scoping and selector transitions, as a watcher of the hub sees them.
final class WatchHubTests: XCTestCase {
    func testEventsArriveOnceInRevisionOrderFromConcurrentWriters() throws {
        let storage = MemoryStorage()
        let hub = WatchHub(storage: storage)
        let watcher = RecordingConsumer()
        let other = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .mostRecent), consumer: watcher, timeout: nil)
        hub.watch(WatchRequest(resource: "secrets", namespace: nil, start: .mostRecent), consumer: other, timeout: nil)
        waitUntil("both watches registered") { hub.watcherCount == 2 }

        let writers = 4, perWriter = 50
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            for i in 0..<perWriter {
                let key = StorageKey.configMap("w\(w)-\(i % 5)")
                if storage.get(key) == nil {
                    _ = try? storage.create(key, configMap(key.name))
                } else if i % 3 == 0 {
                    _ = try? storage.delete(key, expectedRevision: nil)
                } else {
                    _ = try? storage.update(key, expectedRevision: nil, configMap(key.name, data: ["i": .int(Int64(i))]))
                }
            }
        }
        let events = watcher.waitForEvents(writers * perWriter)
        let revisions = events.map { seen -> Int64 in
            if case .event(_, _, let revision) = seen { return revision }
            return -1
        }
        XCTAssertEqual(revisions.count, writers * perWriter)
        XCTAssertEqual(revisions, revisions.sorted(), "events out of revision order")
        XCTAssertEqual(Set(revisions).count, revisions.count, "an event was delivered twice")
        XCTAssertEqual(revisions.last, storage.currentRevision)
        XCTAssertTrue(other.all.isEmpty, "a secrets watcher saw configmap events: \(other.all)")
    }

    func testNamespaceScopedWatchSeesOnlyItsNamespace() throws {
        let storage = MemoryStorage()
        let hub = WatchHub(storage: storage)
        let watcher = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: "a", start: .mostRecent), consumer: watcher, timeout: nil)
        waitUntil("the watch registered") { hub.watcherCount == 1 }
        _ = try storage.create(.configMap("x", namespace: "b"), configMap("x"))
        let inA = try storage.create(.configMap("y", namespace: "a"), configMap("y"))
        _ = try storage.delete(.configMap("x", namespace: "b"), expectedRevision: nil)
        let deleted = try storage.delete(.configMap("y", namespace: "a"), expectedRevision: nil)
        XCTAssertEqual(watcher.waitForEvents(2), [
            .event(type: "ADDED", name: "y", revision: inA.revision),
            .event(type: "DELETED", name: "y", revision: deleted.revision),
        ])
    }

    func testLabelSelectorTransitionsBecomeAddedAndDeleted() throws {
        let storage = MemoryStorage()
        let hub = WatchHub(storage: storage)
        let watcher = RecordingConsumer()
        let selector: @Sendable (JSON) -> Bool = { $0[path: "metadata", "labels", "app"] == "web" }
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .mostRecent, filter: selector),
                  consumer: watcher, timeout: nil)
        waitUntil("the watch registered") { hub.watcherCount == 1 }

        let key = StorageKey.configMap("a")
        _ = try storage.create(key, configMap("a"))
        let starts = try storage.update(key, expectedRevision: nil, configMap("a", labels: ["app": "web"], data: ["v": "1"]))
        let changes = try storage.update(key, expectedRevision: nil, configMap("a", labels: ["app": "web"], data: ["v": "2"]))
        let stops = try storage.update(key, expectedRevision: nil, configMap("a", labels: ["app": "db"], data: ["v": "3"]))
        _ = try storage.delete(key, expectedRevision: nil)
        let sentinel = try storage.create(.configMap("sentinel"), configMap("sentinel", labels: ["app": "web"]))

        XCTAssertEqual(watcher.waitForEvents(4), [
            .event(type: "ADDED", name: "a", revision: starts.revision),
            .event(type: "MODIFIED", name: "a", revision: changes.revision),
            .event(type: "DELETED", name: "a", revision: stops.revision),
            .event(type: "ADDED", name: "sentinel", revision: sentinel.revision),
        ])
        // The DELETED carries the last state the watcher could see, stamped with the revision where it stopped matching.
        let gone = watcher.eventObjects[2]
        XCTAssertEqual(gone.object[path: "metadata", "labels", "app"], "web")
        XCTAssertEqual(gone.object[path: "data", "v"], "2")
        XCTAssertEqual(gone.object[path: "metadata", "resourceVersion"], .string(String(stops.revision)))
        XCTAssertEqual(try JSONParser.parse(gone.bytes).value, gone.object, "encoded bytes differ from the stamped object")
    }

    func testAConsumerThatIsDoneIsDropped() throws {
        let storage = MemoryStorage()
        let hub = WatchHub(storage: storage)
        let quitter = RecordingConsumer(acceptLimit: 1)
        let sentinel = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .mostRecent), consumer: quitter, timeout: nil)
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .mostRecent), consumer: sentinel, timeout: nil)
        waitUntil("both watches registered") { hub.watcherCount == 2 }
        for name in ["a", "b", "c"] { _ = try storage.create(.configMap(name), configMap(name)) }
        // The sentinel gets every event in the same fan-out pass, so once it has the third the quitter was offered it too.
        sentinel.waitForEvents(3)
        XCTAssertEqual(quitter.events.count, 1, "a consumer that answered false got more events: \(quitter.all)")
        waitUntil("the quitter to be dropped") { hub.watcherCount == 1 }
    }

    func testStopEndsTheWatchAndStopAllEndsEveryWatch() throws {
        let storage = MemoryStorage()
        let hub = WatchHub(storage: storage)
        let first = RecordingConsumer(), second = RecordingConsumer()
        let handle = hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .mostRecent), consumer: first, timeout: nil)
        hub.watch(WatchRequest(resource: "pods", namespace: nil, start: .mostRecent), consumer: second, timeout: nil)
        handle.stop()
        first.wait("the stopped watch to finish") { $0.contains(.finished) }
        waitUntil("one watch left") { hub.watcherCount == 1 }
        hub.stopAll()
        XCTAssertEqual(second.all, [.finished])
        XCTAssertEqual(hub.watcherCount, 0)
    }
}
