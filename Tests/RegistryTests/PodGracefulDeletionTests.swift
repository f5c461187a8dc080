import APIMachinery
import Foundation
@testable import Registry
import Storage
import XCTest

/// Graceful deletion of pods in the generic store (upstream's BeforeDelete and CheckGracefulDelete),
/// and the pods/binding subresource.
final class PodGracefulDeletionTests: XCTestCase {
    final class FixedClock: Clock, @unchecked Sendable {
        var date = Date(timeIntervalSince1970: 1_700_000_000)
        func now() -> Date { date }
    }

    var clock = FixedClock()
    var registry: Registry!
    var pods: ResourceStore { registry.store(group: "", plural: "pods")! }
    var binder: BindingStore { registry.podBinding! }

    override func setUpWithError() throws {
        clock = FixedClock()
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream, clock: clock)
        try registry.bootstrap()
    }

    @discardableResult
    func createPod(_ name: String, node: String? = nil, grace: Int64? = nil, finalizers: [String] = []) throws -> JSON {
        var spec: JSONObject = ["containers": [["name": "c", "image": "redis"]]]
        if let node { spec["nodeName"] = .string(node) }
        if let grace { spec["terminationGracePeriodSeconds"] = .int(grace) }
        var metadata: JSONObject = ["name": .string(name)]
        if !finalizers.isEmpty { metadata["finalizers"] = .array(finalizers.map { .string($0) }) }
        let body: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": .object(spec)]
        return try pods.create(namespace: "default", body: RequestBody(value: body), options: WriteOptions()).object
    }

    func delete(_ name: String, grace: Int64? = nil) throws -> DeleteResult {
        var options = DeleteOptions()
        options.gracePeriodSeconds = grace
        return try pods.delete(namespace: "default", name: name, options: options)
    }

    func stamp(_ offset: TimeInterval) -> JSON { .string(Timestamp.format(clock.date.addingTimeInterval(offset))) }

    func testUnboundPodIsDeletedAtOnce() throws {
        try createPod("loose")
        guard case .deleted = try delete("loose") else { return XCTFail("expected removal") }
        XCTAssertNil(try? pods.get(namespace: "default", name: "loose"))
    }

    func testBoundPodIsMarkedWithItsGracePeriod() throws {
        try createPod("bound", node: "n1")
        guard case .marked(let marked) = try delete("bound") else { return XCTFail("expected marking") }
        XCTAssertEqual(marked[path: "metadata", "deletionGracePeriodSeconds"], 30)
        XCTAssertEqual(marked[path: "metadata", "deletionTimestamp"], stamp(30))
        XCTAssertNotNil(try? pods.get(namespace: "default", name: "bound"))

        // Asking again with no period, or a longer one, changes nothing.
        clock.date.addTimeInterval(5)
        guard case .marked(let again) = try delete("bound", grace: 60) else { return XCTFail("expected pending") }
        XCTAssertEqual(again, try pods.get(namespace: "default", name: "bound").object)
        XCTAssertEqual(again[path: "metadata", "deletionTimestamp"], stamp(25))

        // A shorter period moves the timestamp back by the difference.
        guard case .marked(let shorter) = try delete("bound", grace: 10) else { return XCTFail("expected shortening") }
        XCTAssertEqual(shorter[path: "metadata", "deletionGracePeriodSeconds"], 10)
        XCTAssertEqual(shorter[path: "metadata", "deletionTimestamp"], stamp(5))

        // Grace period 0 (the kubelet's final DELETE) removes it.
        guard case .deleted = try delete("bound", grace: 0) else { return XCTFail("expected removal") }
        XCTAssertNil(try? pods.get(namespace: "default", name: "bound"))
    }

    func testPodGracePeriodAndNegativeRequests() throws {
        try createPod("quick", node: "n1", grace: 5)
        guard case .marked(let quick) = try delete("quick") else { return XCTFail("expected marking") }
        XCTAssertEqual(quick[path: "metadata", "deletionGracePeriodSeconds"], 5)
        try createPod("negative", node: "n1")
        guard case .marked(let negative) = try delete("negative", grace: -3) else { return XCTFail("expected marking") }
        XCTAssertEqual(negative[path: "metadata", "deletionGracePeriodSeconds"], 1)
        try createPod("forced", node: "n1")
        guard case .deleted = try delete("forced", grace: 0) else { return XCTFail("expected removal") }
    }

    func testFinishedPodIsDeletedAtOnce() throws {
        var pod = try createPod("done", node: "n1")
        pod[path: "status", "phase"] = "Succeeded"
        _ = try StatusStore(store: pods).update(namespace: "default", name: "done", body: RequestBody(value: pod), options: WriteOptions())
        guard case .deleted = try delete("done") else { return XCTFail("expected removal") }
    }

    func testStatusUpdatesDuringTheGracePeriodKeepThePod() throws {
        try createPod("busy", node: "n1")
        _ = try delete("busy")
        var pod = try pods.get(namespace: "default", name: "busy").object
        pod[path: "status", "phase"] = "Running"
        let updated = try StatusStore(store: pods).update(namespace: "default", name: "busy", body: RequestBody(value: pod),
                                                          options: WriteOptions()).object
        XCTAssertEqual(updated[path: "status", "phase"], "Running")
        XCTAssertNotNil(try? pods.get(namespace: "default", name: "busy"))
    }

    func testFinalizersOutlastTheGracePeriod() throws {
        try createPod("held", node: "n1", finalizers: ["example.com/hold"])
        guard case .marked = try delete("held") else { return XCTFail("expected marking") }
        guard case .marked(let zero) = try delete("held", grace: 0) else { return XCTFail("finalizer must keep it") }
        XCTAssertEqual(zero[path: "metadata", "deletionGracePeriodSeconds"], 0)
        var pod = try pods.get(namespace: "default", name: "held").object
        pod[path: "metadata", "finalizers"] = nil
        _ = try pods.update(namespace: "default", name: "held", body: RequestBody(value: pod), options: WriteOptions())
        XCTAssertNil(try? pods.get(namespace: "default", name: "held"))
    }

    func testOtherKindsAreNotGraceful() throws {
        let configMaps = registry.store(group: "", plural: "configmaps")!
        let body: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cm"]]
        _ = try configMaps.create(namespace: "default", body: RequestBody(value: body), options: WriteOptions())
        var options = DeleteOptions()
        options.gracePeriodSeconds = 30
        guard case .deleted = try configMaps.delete(namespace: "default", name: "cm", options: options) else { return XCTFail("expected removal") }
    }

    // MARK: pods/binding

    func binding(_ pod: String, to node: String?, kind: String? = nil) -> JSON {
        var target: JSONObject = [:]
        if let node { target["name"] = .string(node) }
        if let kind { target["kind"] = .string(kind) }
        return ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": .string(pod)], "target": .object(target)]
    }

    func testBindingAssignsNodeAndPodScheduled() throws {
        try createPod("web-0")
        var b = binding("web-0", to: "n1")
        b[path: "metadata", "annotations"] = ["example.com/by": "test"]
        let status = try binder.create(namespace: "default", name: "web-0", binding: b, options: WriteOptions())
        XCTAssertEqual(status["status"], "Success")
        XCTAssertEqual(status["code"], 201)
        let pod = try pods.get(namespace: "default", name: "web-0").object
        XCTAssertEqual(pod[path: "spec", "nodeName"], "n1")
        XCTAssertEqual(pod[path: "metadata", "annotations", "example.com/by"], "test")
        let condition = pod[path: "status", "conditions"]?.arrayValue?.first { $0["type"] == "PodScheduled" }
        XCTAssertEqual(condition?["status"], "True")
        XCTAssertEqual(condition?["lastTransitionTime"], stamp(0))
    }

    func testBindingRefusals() throws {
        try createPod("web-0", node: "n1")
        XCTAssertThrowsError(try binder.create(namespace: "default", name: "web-0", binding: binding("web-0", to: "n2"), options: WriteOptions())) {
            let e = $0 as! APIError
            XCTAssertEqual(e.code, 409)
            XCTAssertEqual(e.message, "Operation cannot be fulfilled on pods/binding \"web-0\": pod web-0 is already assigned to node \"n1\"")
        }
        try createPod("web-1")
        XCTAssertThrowsError(try binder.create(namespace: "default", name: "web-1", binding: binding("web-1", to: nil), options: WriteOptions())) {
            XCTAssertEqual(($0 as! APIError).code, 422)
            XCTAssertTrue(($0 as! APIError).message.contains("target.name: Required value"), ($0 as! APIError).message)
        }
        XCTAssertThrowsError(try binder.create(namespace: "default", name: "web-1", binding: binding("web-1", to: "n1", kind: "Pod"),
                                           options: WriteOptions())) {
            XCTAssertTrue(($0 as! APIError).message.contains("target.kind: Unsupported value: \"Pod\""), ($0 as! APIError).message)
        }
        XCTAssertThrowsError(try binder.create(namespace: "default", name: "web-1", binding: binding("other", to: "n1"), options: WriteOptions())) {
            XCTAssertEqual(($0 as! APIError).code, 400)
        }
        XCTAssertThrowsError(try binder.create(namespace: "default", name: "missing", binding: binding("missing", to: "n1"), options: WriteOptions())) {
            XCTAssertEqual(($0 as! APIError).code, 404)
        }
    }
}
