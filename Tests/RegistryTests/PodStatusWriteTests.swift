import APIMachinery
import Foundation
@testable import Registry
import Storage
import XCTest

/// Writes through pods/status: only the status changes, whatever else the body holds or lacks, and
/// the spec (stored, so valid) is not validated again, as upstream's ValidatePodStatusUpdate.
final class PodStatusWriteTests: XCTestCase {
    var registry: Registry!
    var pods: ResourceStore { registry.store(group: "", plural: "pods")! }

    override func setUpWithError() throws {
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        try registry.bootstrap()
    }

    func createPod() throws -> JSON {
        let body: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "labels": ["app": "a"]],
                          "spec": ["containers": [["name": "c", "image": "redis"]]]]
        return try pods.create(namespace: "default", body: RequestBody(value: body), options: WriteOptions()).object
    }

    func testABodyOfIdentityAndStatusChangesOnlyTheStatus() throws {
        let pod = try createPod()
        let body: JSON = ["apiVersion": "v1", "kind": "Pod",
                          "metadata": ["name": "p", "namespace": "default", "resourceVersion": .string(pod.meta.resourceVersion)],
                          "status": ["phase": "Running", "podIP": "10.244.0.5"]]
        let stored = try StatusStore(store: pods).update(namespace: "default", name: "p", body: RequestBody(value: body),
                                                         options: WriteOptions()).object
        XCTAssertEqual(stored[path: "status", "phase"], "Running")
        XCTAssertEqual(stored["spec"], pod["spec"])
        XCTAssertEqual(stored.meta.labels, ["app": "a"])
        XCTAssertNotEqual(stored.meta.resourceVersion, pod.meta.resourceVersion)

        // The version it answers to still guards it.
        XCTAssertThrowsError(try StatusStore(store: pods).update(namespace: "default", name: "p", body: RequestBody(value: body),
                                                                 options: WriteOptions())) { XCTAssertTrue(($0 as? APIError)?.isConflict == true) }
    }

    func testStatusValidationLeavesTheSpecToTheMainResource() {
        let strategy = PodStrategy()
        let invalid: JSON = ["metadata": ["name": "p"], "spec": ["containers": []]]
        XCTAssertFalse(strategy.validateUpdate(invalid, old: invalid).isEmpty)
        XCTAssertTrue(strategy.validateStatusUpdate(invalid, old: invalid).isEmpty)
        // A ReplicaSet's status write checks the status (ValidateReplicaSetStatusUpdate), not the spec.
        let sets = ReplicaSetStrategy()
        let badSpec: JSON = ["metadata": ["name": "s"], "spec": ["replicas": -1], "status": ["replicas": 1, "readyReplicas": 1]]
        XCTAssertFalse(sets.validateUpdate(badSpec, old: badSpec).isEmpty)
        XCTAssertTrue(sets.validateStatusUpdate(badSpec, old: badSpec).isEmpty)
        let badStatus: JSON = ["metadata": ["name": "s"], "spec": ["replicas": 1], "status": ["replicas": 1, "readyReplicas": 2]]
        XCTAssertEqual(sets.validateStatusUpdate(badStatus, old: badStatus).map(\.field), ["status.readyReplicas"])
    }
}
