import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

/// The disruption controller's status: healthy pods against minAvailable / maxUnavailable (scaled by
/// the pods' controllers), the DisruptionAllowed condition, and disruptedPods timing out on its clock.
final class DisruptionControllerTests: XCTestCase {
    var h: ControllerHarness!

    override func setUpWithError() throws {
        h = try ControllerHarness()
        ControllerManager.start([DisruptionController()], context: h.context)
    }

    override func tearDown() { h.registry.stopWatches() }

    func makePod(_ name: String, ready: Bool, owner: JSON? = nil) throws {
        var pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "labels": ["app": "web"]],
                         "spec": ["nodeName": "kubelite-node", "containers": [["name": "c", "image": "nginx"]]]]
        if let owner {
            pod[path: "metadata", "ownerReferences"] = [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": owner[path: "metadata", "name"]!,
                                                          "uid": owner[path: "metadata", "uid"]!, "controller": true]]
        }
        var created = try h.create("pods", pod)
        created["status"] = ["phase": "Running", "conditions": [["type": "Ready", "status": ready ? "True" : "False"]]]
        _ = try h.registry.status(GroupResource(group: "", resource: "pods"))!.update(
            namespace: "default", name: name, body: RequestBody(value: created), options: WriteOptions())
    }

    func makeBudget(_ spec: JSON) throws {
        var full = spec
        full["selector"] = ["matchLabels": ["app": "web"]]
        try h.create("poddisruptionbudgets", ["apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                                              "metadata": ["name": "web-pdb"], "spec": full], group: "policy")
    }

    var status: JSON { h.get("poddisruptionbudgets", "web-pdb", group: "policy")?["status"] ?? [:] }

    func testMinAvailableCountsReadyPods() throws {
        try makePod("a", ready: true)
        try makePod("b", ready: true)
        try makePod("c", ready: false)
        try makeBudget(["minAvailable": 1])
        XCTAssertTrue(waitUntil("status") { self.status["observedGeneration"] == 1 })
        XCTAssertEqual(status["currentHealthy"], 2)
        XCTAssertEqual(status["desiredHealthy"], 1)
        XCTAssertEqual(status["expectedPods"], 3)
        XCTAssertEqual(status["disruptionsAllowed"], 1)
        XCTAssertEqual(status["conditions"]?.arrayValue?.first?["reason"], "SufficientPods")

        _ = try h.store("pods").delete(namespace: "default", name: "a", options: DeleteOptions())
        XCTAssertTrue(waitUntil("one healthy pod left") { self.status["currentHealthy"] == 1 })
        XCTAssertEqual(status["disruptionsAllowed"], 0)
        XCTAssertEqual(status["conditions"]?.arrayValue?.first?["status"], "False")
        XCTAssertEqual(status["conditions"]?.arrayValue?.first?["reason"], "InsufficientPods")
    }

    func testPercentagesScaleWithTheController() throws {
        let set = try h.create("replicasets", ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "web"],
                                               "spec": ["replicas": 4, "selector": ["matchLabels": ["app": "web"]],
                                                        "template": ["metadata": ["labels": ["app": "web"]],
                                                                     "spec": ["containers": [["name": "c", "image": "nginx"]]]]]],
                               group: "apps")
        for name in ["a", "b", "c"] { try makePod(name, ready: true, owner: set) }
        try makeBudget(["maxUnavailable": "30%"])
        // 4 replicas wanted; 30% of 4 rounds up to 2 unavailable, so 2 must stay healthy.
        XCTAssertTrue(waitUntil("status") { self.status["expectedPods"] == 4 })
        XCTAssertEqual(status["desiredHealthy"], 2)
        XCTAssertEqual(status["disruptionsAllowed"], 1)
    }

    func testDisruptedPodsExpireOnTheControllersClock() throws {
        try makePod("a", ready: true)
        try makePod("b", ready: true)
        try makeBudget(["minAvailable": 1])
        XCTAssertTrue(waitUntil("status") { self.status["disruptionsAllowed"] == 1 })
        // An eviction was admitted for `a`, but its pod is never deleted.
        var budget = try XCTUnwrap(h.get("poddisruptionbudgets", "web-pdb", group: "policy"))
        budget[path: "status", "disruptedPods"] = ["a": .string(Timestamp.format(h.timers.now()))]
        _ = try h.registry.status(GroupResource(group: "policy", resource: "poddisruptionbudgets"))!.update(
            namespace: "default", name: "web-pdb", body: RequestBody(value: budget), options: WriteOptions())
        XCTAssertTrue(waitUntil("a not counted") { self.status["currentHealthy"] == 1 && self.status["disruptionsAllowed"] == 0 })
        h.timers.advance(by: .seconds(121))
        XCTAssertTrue(waitUntil("the entry timed out") { self.status["disruptedPods"] == nil && self.status["currentHealthy"] == 2 })
    }

    func testAPodWhoseControllerHasNoScaleFailsTheSyncSafe() throws {
        let owner = try h.create("configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner"]])
        var pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "a", "labels": ["app": "web"]],
                         "spec": ["containers": [["name": "c", "image": "nginx"]]]]
        pod[path: "metadata", "ownerReferences"] = [["apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                                                      "uid": owner[path: "metadata", "uid"]!, "controller": true]]
        try h.create("pods", pod)
        try makeBudget(["maxUnavailable": 1])
        XCTAssertTrue(waitUntil("failed safe") { self.status["conditions"]?.arrayValue?.first?["reason"] == "SyncFailed" })
        let condition = try XCTUnwrap(status["conditions"]?.arrayValue?.first)
        XCTAssertEqual(condition["status"], "False")
        XCTAssertEqual(condition["message"], "configmaps does not implement the scale subresource")
        XCTAssertEqual(status["disruptionsAllowed"], 0)
    }
}
