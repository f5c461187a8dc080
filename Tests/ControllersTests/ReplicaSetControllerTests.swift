import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import XCTest

/// The ReplicaSet controller: pods from the template, scaling with upstream's deletion order,
/// adoption and release by selector, and status with minReadySeconds on the injected clock.
final class ReplicaSetControllerTests: XCTestCase {
    func testCreatesPodsFromTheTemplateWithGeneratedNames() throws {
        let h = try WorkloadHarness()
        let set = try h.create("replicasets", WorkloadHarness.replicaSet("web", replicas: 3))
        h.waitUntil("three pods") { h.pods(owner: "web").count == 3 }
        for pod in h.pods(owner: "web") {
            XCTAssertTrue(pod.meta.name.hasPrefix("web-"))
            XCTAssertEqual(pod.meta.name.count, "web-".count + 5)
            XCTAssertEqual(pod.meta.labels, ["app": "web"])
            let ref = try XCTUnwrap(pod.meta.controllerRef)
            XCTAssertEqual(ref.uid, set.meta.uid)
            XCTAssertEqual(ref.kind, "ReplicaSet")
            XCTAssertTrue(ref.blockOwnerDeletion)
        }
        h.waitUntil("status replicas 3") { ReplicaSetView(h.get("replicasets", "web")).statusReplicas == 3 }
        XCTAssertEqual(h.events("web").filter { $0.reason == "SuccessfulCreate" }.count, 3)
        try h.readyAll()
        h.waitUntil("all ready and available") {
            let s = ReplicaSetView(h.get("replicasets", "web"))
            return s.readyReplicas == 3 && s.availableReplicas == 3 && s.fullyLabeledReplicas == 3 && s.observedGeneration == 1
        }
    }

    func testScaleDownDeletesUnreadyPodsFirst() throws {
        let h = try WorkloadHarness()
        try h.create("replicasets", WorkloadHarness.replicaSet("s", replicas: 3))
        h.waitUntil("three pods") { h.pods(owner: "s").count == 3 }
        let names = h.pods(owner: "s").map(\.meta.name)
        try h.setPodStatus(names[0])
        try h.setPodStatus(names[1])
        try h.setPodStatus(names[2], ready: false)
        h.settle()
        try h.modify("replicasets", "s") { $0[path: "spec", "replicas"] = 2 }
        h.waitUntil("the unready pod is deleted") { Set(h.pods(owner: "s").map(\.meta.name)) == Set(names.prefix(2)) }
        try h.modify("replicasets", "s") { $0[path: "spec", "replicas"] = 0 }
        h.waitUntil("all deleted") { h.pods(owner: "s").isEmpty }
        h.waitUntil("status replicas 0") { ReplicaSetView(h.get("replicasets", "s")).statusReplicas == 0 }
    }

    func testDeletedPodIsReplaced() throws {
        let h = try WorkloadHarness()
        try h.create("replicasets", WorkloadHarness.replicaSet("r", replicas: 2))
        h.waitUntil("two pods") { h.pods(owner: "r").count == 2 }
        let victim = h.pods(owner: "r")[0].meta.name
        _ = try h.store("", "pods").delete(namespace: "default", name: victim, options: DeleteOptions())
        h.waitUntil("replaced") { h.pods(owner: "r").count == 2 && !h.pods(owner: "r").contains { $0.meta.name == victim } }
    }

    func testAdoptsOrphansAndReleasesPodsThatStopMatching() throws {
        let h = try WorkloadHarness()
        let orphan: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "stray", "labels": ["app": "a"]],
                            "spec": ["containers": [["name": "web", "image": "nginx:1"]]]]
        try h.create("pods", orphan, group: "")
        let set = try h.create("replicasets", WorkloadHarness.replicaSet("a", replicas: 2))
        h.waitUntil("stray adopted and one more created") {
            h.pods(owner: "a").count == 2 && h.get("pods", "stray", group: "").meta.controllerRef?.uid == set.meta.uid
        }
        try h.modify("pods", "stray", group: "") { $0.meta.setLabel("app", "other") }
        h.waitUntil("stray released and replaced") {
            h.get("pods", "stray", group: "").meta.controllerRef == nil && h.pods(owner: "a").count == 2
                && !h.pods(owner: "a").contains { $0.meta.name == "stray" }
        }
    }

    func testAvailableAfterMinReadySecondsOnTheInjectedClock() throws {
        let h = try WorkloadHarness()
        try h.create("replicasets", WorkloadHarness.replicaSet("m", replicas: 1) { $0[path: "spec", "minReadySeconds"] = 10 })
        h.waitUntil("one pod") { h.pods(owner: "m").count == 1 }
        try h.readyAll()
        h.waitUntil("ready but not available") {
            let s = ReplicaSetView(h.get("replicasets", "m"))
            return s.readyReplicas == 1 && s.availableReplicas == 0
        }
        h.timers.advance(by: .seconds(11))
        h.waitUntil("available once minReadySeconds passed") { ReplicaSetView(h.get("replicasets", "m")).availableReplicas == 1 }
    }

    func testDeletionOrder() {
        func pod(_ name: String, node: String = "n", phase: String = "Running", ready: Bool = true, created: String) -> JSON {
            ["metadata": ["name": .string(name), "creationTimestamp": .string(created)],
             "spec": ["nodeName": .string(node)],
             "status": ["phase": .string(phase), "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False"),
                                                                 "lastTransitionTime": "2026-01-01T00:00:00Z"]]]]
        }
        let pods = [
            pod("old-ready", created: "2026-01-01T00:00:00Z"),
            pod("new-ready", created: "2026-01-02T00:00:00Z"),
            pod("unready", ready: false, created: "2026-01-01T00:00:00Z"),
            pod("pending", phase: "Pending", ready: false, created: "2026-01-01T00:00:00Z"),
            pod("unscheduled", node: "", phase: "Pending", ready: false, created: "2026-01-01T00:00:00Z"),
        ]
        XCTAssertEqual(ActivePods.deletionOrder(pods.map(PodFacts.init)).map(\.name), ["unscheduled", "pending", "unready", "new-ready", "old-ready"])
    }
}

/// A pod the ReplicaSet cannot create or delete is reported as upstream's ReplicaFailure
/// condition, once, and the condition goes once the replicas are managed again.
final class ReplicaFailureTests: XCTestCase {
    struct Refused: Error, CustomStringConvertible {
        var description: String { #"pods "web-x" is forbidden: exceeded quota"# }
    }

    func testReplicaFailureIsSetOnceAndCleared() {
        let set = ReplicaSetView(WorkloadHarness.replicaSet("web", replicas: 2))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var status = ReplicaSetStatus(set, pods: [], now: now)
        status.reportFailure(Refused(), surplus: -2, now: now)
        XCTAssertEqual(status.conditions, [["type": "ReplicaFailure", "status": "True", "lastTransitionTime": .string(Timestamp.format(now)),
                                            "reason": "FailedCreate", "message": #"pods "web-x" is forbidden: exceeded quota"#]])
        let reported = status.conditions
        status.reportFailure(Refused(), surplus: 1, now: now.addingTimeInterval(5))
        XCTAssertEqual(status.conditions, reported, "an existing ReplicaFailure is kept as it is")
        XCTAssertEqual(status.json["conditions"], .array(reported))
        status.reportFailure(nil, surplus: 0, now: now)
        XCTAssertEqual(status.conditions, [])
        XCTAssertNil(status.json["conditions"])
    }
}
