import APIMachinery
import Foundation
@testable import Registry
import Storage
import XCTest

/// PodDisruptionBudget validation and table, and the eviction subresource's decisions.
final class EvictionStoreTests: XCTestCase {
    var registry: Registry!

    override func setUpWithError() throws {
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        try registry.bootstrap()
    }

    override func tearDown() { registry.stopWatches() }

    var pods: ResourceStore { registry.store(group: "", plural: "pods")! }
    var budgets: ResourceStore { registry.store(group: "policy", plural: "poddisruptionbudgets")! }

    func makePod(_ name: String, ready: Bool = true) throws {
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "labels": ["app": "web"]],
                         "spec": ["nodeName": "kubelite-node", "containers": [["name": "c", "image": "nginx"]]]]
        let created = try pods.create(namespace: "default", body: RequestBody(value: pod), options: WriteOptions()).object
        var running = created
        running["status"] = ["phase": "Running", "conditions": [["type": "Ready", "status": ready ? "True" : "False"]]]
        _ = try registry.status(GroupResource(group: "", resource: "pods"))!.update(
            namespace: "default", name: name, body: RequestBody(value: running), options: WriteOptions())
    }

    /// A budget whose status the disruption controller would have written.
    func makeBudget(allowed: Int64, current: Int64 = 3, desired: Int64 = 2, observed: Bool = true) throws {
        let budget: JSON = ["apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": "web-pdb"],
                            "spec": ["minAvailable": 2, "selector": ["matchLabels": ["app": "web"]]]]
        var created = try budgets.create(namespace: "default", body: RequestBody(value: budget), options: WriteOptions()).object
        XCTAssertEqual(created["status"], ["currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0])
        XCTAssertEqual(created[path: "metadata", "generation"], 1)
        created["status"] = ["currentHealthy": .int(current), "desiredHealthy": .int(desired), "disruptionsAllowed": .int(allowed),
                             "expectedPods": 3, "observedGeneration": observed ? 1 : 0]
        _ = try registry.status(EvictionStore.budgets)!.update(namespace: "default", name: "web-pdb", body: RequestBody(value: created),
                                                               options: WriteOptions())
    }

    func evict(_ name: String) throws -> JSON {
        try registry.podEviction!.create(namespace: "default", name: name,
                                         eviction: ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": .string(name)]],
                                         deleteOptions: DeleteOptions(), dryRun: false)
    }

    func testBudgetValidationAndTable() {
        let both = json(#"{"metadata":{"name":"p","namespace":"d"},"spec":{"minAvailable":1,"maxUnavailable":"150%","unhealthyPodEvictionPolicy":"Sometimes"}}"#)
        let errors = create(PodDisruptionBudgetStrategy(), both).errors
        XCTAssertEqual(errors.count, 3)
        XCTAssertTrue(errors[0].hasSuffix("minAvailable and maxUnavailable cannot be both set"), errors[0])
        XCTAssertEqual(errors[1], #"spec.maxUnavailable: Invalid value: "150%": must not be greater than 100%"#)
        XCTAssertEqual(errors[2], #"spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget""#)
        let negative = json(#"{"metadata":{"name":"p","namespace":"d"},"spec":{"minAvailable":1},"status":{"disruptionsAllowed":-1}}"#)
        XCTAssertEqual(update(PodDisruptionBudgetStrategy(), negative, old: negative).errors,
                       ["status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0"])
        XCTAssertEqual(PodDisruptionBudgetTable.columns.map(\.name), ["Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"])
        let budget = json(#"{"metadata":{"name":"p"},"spec":{"maxUnavailable":"25%"},"status":{"disruptionsAllowed":2}}"#)
        XCTAssertEqual(PodDisruptionBudgetTable.cells(budget, now: Date()), ["p", "N/A", "25%", 2, "<unknown>"])
    }

    func testEvictionWithoutBudgetDeletesWithDisruptionTarget() throws {
        try makePod("web-0")
        XCTAssertEqual(try evict("web-0")["status"], "Success")
        // The pod is bound, so it has a grace period: it is marked, with the condition saying why.
        let pod = try pods.get(namespace: "default", name: "web-0").object
        XCTAssertTrue(pod.meta.isBeingDeleted)
        let condition = PodView(pod).condition("DisruptionTarget")
        XCTAssertEqual(condition?.status, "True")
        XCTAssertEqual(condition?.object["reason"], "EvictionByEvictionAPI")
    }

    func testEvictionTakesAnAllowedDisruptionThenRefuses() throws {
        try makePod("web-0")
        try makePod("web-1")
        try makeBudget(allowed: 1)
        XCTAssertEqual(try evict("web-0")["status"], "Success")
        let budget = PodDisruptionBudgetView(try budgets.get(namespace: "default", name: "web-pdb").object)
        XCTAssertEqual(budget.disruptionsAllowed, 0)
        XCTAssertNotNil(budget.disruptedPods["web-0"])
        XCTAssertEqual(budget.status["conditions"]?.arrayValue?.first?["reason"], "InsufficientPods")

        XCTAssertThrowsError(try evict("web-1")) {
            let error = $0 as? APIError
            XCTAssertEqual(error?.code, 429)
            XCTAssertEqual(error?.reason, "TooManyRequests")
            XCTAssertEqual(error?.message, "Cannot evict pod as it would violate the pod's disruption budget.")
            XCTAssertEqual(error?.details?.causes.first?.reason, "DisruptionBudget")
            XCTAssertEqual(error?.details?.causes.first?.message, "The disruption budget web-pdb needs 2 healthy pods and has 3 currently")
        }
        XCTAssertFalse(try pods.get(namespace: "default", name: "web-1").object.meta.isBeingDeleted)
    }

    func testUnprocessedBudgetRefusesAndUnreadyPodGoesWhenBudgetIsMet() throws {
        try makePod("web-0")
        try makeBudget(allowed: 1, observed: false)
        XCTAssertThrowsError(try evict("web-0")) {
            XCTAssertEqual(($0 as? APIError)?.details?.causes.first?.message, "The disruption budget web-pdb is still being processed by the server.")
            XCTAssertEqual(($0 as? APIError)?.details?.retryAfterSeconds, 10)
        }
        try makePod("web-1", ready: false)
        try budgets.delete(namespace: "default", name: "web-pdb", options: DeleteOptions()).ignore()
        try makeBudget(allowed: 0, current: 2, desired: 2)
        XCTAssertEqual(try evict("web-1")["status"], "Success")
    }

    func testBadEvictions() throws {
        try makePod("web-0")
        XCTAssertThrowsError(try registry.podEviction!.create(namespace: "default", name: "web-0", eviction: ["metadata": ["name": "other"]],
                                                               deleteOptions: DeleteOptions(), dryRun: false)) {
            XCTAssertEqual(($0 as? APIError)?.message, "name in URL does not match name in Eviction object")
        }
        XCTAssertThrowsError(try evict("missing")) { XCTAssertEqual(($0 as? APIError)?.code, 404) }
    }
}

extension DeleteResult {
    func ignore() {}
}
