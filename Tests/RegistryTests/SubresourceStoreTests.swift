import APIMachinery
import Foundation
@testable import Registry
import Storage
import XCTest

/// The subresources' own stores (status, scale, binding, namespace finalize), and what the generic
/// store offers for list, freshness and watch.
final class SubresourceStoreTests: XCTestCase {
    var registry: Registry!
    let statefulSets = GroupResource(group: "apps", resource: "statefulsets")

    override func setUpWithError() throws {
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        try registry.bootstrap()
    }

    override func tearDown() { registry.stopWatches() }

    func store(_ plural: String, group: String = "") -> ResourceStore { registry.store(group: group, plural: plural)! }

    @discardableResult
    func createSet(_ name: String = "web", replicas: Int64 = 2) throws -> JSON {
        var body = Seed.redisSts
        body[path: "metadata", "name"] = .string(name)
        body[path: "spec", "replicas"] = .int(replicas)
        return try store("statefulsets", group: "apps").create(namespace: "default", body: RequestBody(value: body), options: WriteOptions()).object
    }

    func testOnlyServedSubresourcesHaveStores() {
        XCTAssertNotNil(registry.status(statefulSets))
        XCTAssertNotNil(registry.scale(statefulSets))
        XCTAssertNil(registry.scale(GroupResource(group: "", resource: "pods")))
        XCTAssertNil(registry.status(GroupResource(group: "", resource: "configmaps")))
        XCTAssertNotNil(registry.podBinding)
        XCTAssertNotNil(registry.namespaceFinalize)
        XCTAssertNil(BindingStore(pods: store("configmaps")))
        XCTAssertNil(NamespaceFinalizeStore(namespaces: store("pods")))
    }

    func testStatusWriteKeepsSpecAndGeneration() throws {
        var set = try createSet()
        set[path: "spec", "replicas"] = 5
        set["status"] = ["replicas": 2, "readyReplicas": 1, "availableReplicas": 1]
        let written = try registry.status(statefulSets)!.update(namespace: "default", name: "web", body: RequestBody(value: set),
                                                                 options: WriteOptions()).object
        XCTAssertEqual(written[path: "status", "readyReplicas"], 1)
        XCTAssertEqual(written[path: "spec", "replicas"], 2, "the status endpoint changes only status")
        XCTAssertEqual(written[path: "metadata", "generation"], 1)
    }

    func testMainResourceWriteKeepsStatus() throws {
        var set = try createSet()
        set["status"] = ["replicas": 2, "readyReplicas": 2]
        _ = try registry.status(statefulSets)!.update(namespace: "default", name: "web", body: RequestBody(value: set), options: WriteOptions())
        var spec = try store("statefulsets", group: "apps").get(namespace: "default", name: "web").object
        spec[path: "spec", "replicas"] = 3
        spec["status"] = ["replicas": 0]
        let written = try store("statefulsets", group: "apps").update(namespace: "default", name: "web", body: RequestBody(value: spec),
                                                                      options: WriteOptions()).object
        XCTAssertEqual(written[path: "status", "readyReplicas"], 2)
        XCTAssertEqual(written[path: "metadata", "generation"], 2)
    }

    func testStatusPatchSeesTheWholeObjectButKeepsOnlyStatus() throws {
        try createSet()
        let patch: JSON = ["spec": ["replicas": 9], "status": ["replicas": 2, "currentRevision": "web-1"]]
        let written = try registry.status(statefulSets)!.patch(namespace: "default", name: "web", type: .merge,
                                                                patch: RequestBody(value: patch), options: WriteOptions()).object
        XCTAssertEqual(written[path: "status", "currentRevision"], "web-1")
        XCTAssertEqual(written[path: "spec", "replicas"], 2)
    }

    func testScaleReadsAndWritesReplicas() throws {
        try createSet(replicas: 2)
        let scale = registry.scale(statefulSets)!
        let view = try scale.get(namespace: "default", name: "web")
        XCTAssertEqual(view["kind"], "Scale")
        XCTAssertEqual(view[path: "spec", "replicas"], 2)
        XCTAssertEqual(view[path: "status", "selector"], "app=redis-sts")
        let updated = try scale.patch(namespace: "default", name: "web", type: .merge, patch: RequestBody(value: ["spec": ["replicas": 4]]),
                                      options: WriteOptions())
        XCTAssertEqual(updated[path: "spec", "replicas"], 4)
        let parent = try store("statefulsets", group: "apps").get(namespace: "default", name: "web").object
        XCTAssertEqual(parent[path: "spec", "replicas"], 4)
        XCTAssertEqual(parent[path: "metadata", "generation"], 2)
        XCTAssertThrowsError(try scale.update(namespace: "default", name: "web", body: ["spec": ["replicas": -1]], options: WriteOptions())) {
            XCTAssertEqual(($0 as! APIError).code, 422)
        }
        XCTAssertThrowsError(try scale.update(namespace: "default", name: "web",
                                              body: ["metadata": ["resourceVersion": "1"], "spec": ["replicas": 1]], options: WriteOptions())) {
            XCTAssertEqual(($0 as! APIError).code, 409)
        }
    }

    func testFinalizeUpdatesTheNamespace() throws {
        let namespaces = store("namespaces")
        _ = try namespaces.create(namespace: nil, body: RequestBody(value: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]]),
                                  options: WriteOptions())
        var ns = try namespaces.get(namespace: nil, name: "team").object
        ns[path: "metadata", "labels"] = ["finalized": "yes"]
        let written = try registry.namespaceFinalize!.update(name: "team", body: RequestBody(value: ns), options: WriteOptions()).object
        XCTAssertEqual(written[path: "metadata", "labels", "finalized"], "yes")
    }

    func testNamespaceDeletionEmptiesAndRemovesIt() throws {
        let namespaces = store("namespaces")
        _ = try namespaces.create(namespace: nil, body: RequestBody(value: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]]),
                                  options: WriteOptions())
        _ = try store("configmaps").create(namespace: "team", body: RequestBody(value: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]]),
                                           options: WriteOptions())
        guard case .marked(let marked) = try namespaces.delete(namespace: nil, name: "team", options: DeleteOptions()) else {
            return XCTFail("a namespace is marked, then removed")
        }
        XCTAssertEqual(marked[path: "status", "phase"], "Terminating")
        XCTAssertTrue(store("configmaps").list(namespace: "team").items.isEmpty)
        XCTAssertThrowsError(try namespaces.get(namespace: nil, name: "team"))
        XCTAssertThrowsError(try namespaces.delete(namespace: nil, name: "default", options: DeleteOptions())) {
            XCTAssertEqual(($0 as! APIError).code, 403)
        }
    }

    func testCreateInAMissingNamespaceIsNotFound() {
        XCTAssertThrowsError(try store("configmaps").create(namespace: "nowhere",
                                                            body: RequestBody(value: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]]),
                                                            options: WriteOptions())) {
            XCTAssertEqual(($0 as! APIError).message, #"namespaces "nowhere" not found"#)
        }
    }

    func testListPagesAndFreshness() throws {
        try createSet("a")
        try createSet("b")
        let sets = store("statefulsets", group: "apps")
        let first = try sets.list(ListQuery(namespace: "default", limit: 1))
        XCTAssertEqual(first.items.map(\.key.name), ["a"])
        let after = try XCTUnwrap(first.continueAfter)
        let token = ContinueToken(revision: first.revision, after: after, namespace: "default")
        let second = try sets.list(ListQuery(namespace: "default", limit: 1, point: .continuing(token)))
        XCTAssertEqual(second.items.map(\.key.name), ["b"])
        XCTAssertEqual(second.revision, first.revision)
        let current = registry.storage.currentRevision
        XCTAssertNoThrow(try sets.waitUntilFresh(current))
        XCTAssertThrowsError(try sets.list(ListQuery(namespace: nil, point: .notOlderThan(current + 1)))) {
            let error = $0 as! APIError
            XCTAssertEqual(error.code, 504)
            XCTAssertEqual(error.message, "Timeout: Too large resource version: \(current + 1), current: \(current)")
        }
    }

    func testWatchThroughTheStore() throws {
        final class Recorder: WatchConsumer, @unchecked Sendable {
            let lock = NSLock()
            var names: [String] = []
            func receive(_ event: WatchEvent) -> Bool { lock.lock(); names.append(event.object.key.name); lock.unlock(); return true }
            func bookmark(revision: Int64, initialEventsEnd: Bool) -> Bool { true }
            func fail(_ failure: WatchFailure) {}
            func finish() {}
            var seen: [String] { lock.lock(); defer { lock.unlock() }; return names }
        }
        let recorder = Recorder()
        let handle = store("statefulsets", group: "apps").watch(namespace: "default", start: .mostRecent, consumer: recorder, timeout: nil)
        defer { handle.stop() }
        let deadline = Date().addingTimeInterval(5)
        while registry.watcherCount == 0, Date() < deadline { usleep(1_000) }
        try createSet("w")
        while recorder.seen.isEmpty, Date() < deadline { usleep(1_000) }
        XCTAssertEqual(recorder.seen, ["w"])
    }
}
