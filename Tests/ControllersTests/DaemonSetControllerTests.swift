import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import XCTest

/// The DaemonSet controller: a pod per eligible node pinned by node affinity with the daemon
/// tolerations, nodeSelector and taints, status, RollingUpdate within maxUnavailable, OnDelete,
/// and ControllerRevisions.
final class DaemonSetControllerTests: XCTestCase {
    static func daemonSet(_ name: String, extra: (inout JSON) -> Void = { _ in }) -> JSON {
        var set: JSON = [
            "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": .string(name)],
            "spec": ["selector": ["matchLabels": ["app": .string(name)]], "template": WorkloadHarness.template(name)],
        ]
        extra(&set)
        return set
    }

    func addNodes(_ h: WorkloadHarness, _ names: [String], labels: [String: String] = [:], taints: JSON? = nil) throws {
        for name in names {
            var node: JSON = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": .object(JSONObject(uniqueKeysWithValues: labels.map { ($0.key, JSON.string($0.value)) }))]]
            if let taints { node["spec"] = ["taints": taints] }
            _ = try h.store("", "nodes").create(namespace: nil, body: RequestBody(value: node), options: WriteOptions())
        }
    }

    func status(_ h: WorkloadHarness, _ name: String) -> JSON { h.get("daemonsets", name)["status"] ?? [:] }

    func testOnePodPerEligibleNode() throws {
        let h = try WorkloadHarness()
        try addNodes(h, ["n1", "n2"], labels: ["disk": "ssd"])
        try addNodes(h, ["n3"])
        try addNodes(h, ["n4"], labels: ["disk": "ssd"], taints: [["key": "dedicated", "value": "x", "effect": "NoSchedule"]])
        let set = try h.create("daemonsets", Self.daemonSet("agent") {
            $0[path: "spec", "template", "spec", "nodeSelector"] = ["disk": "ssd"]
        })
        XCTAssertEqual(set[path: "metadata", "annotations", "deprecated.daemonset.template.generation"], "1")
        h.waitUntil("a pod on n1 and n2") { h.pods(owner: "agent").count == 2 }
        let pods = h.pods(owner: "agent")
        XCTAssertEqual(Set(pods.compactMap(DaemonPods.targetNode)), ["n1", "n2"])
        for pod in pods {
            XCTAssertEqual(pod.meta.controllerRef?.kind, "DaemonSet")
            XCTAssertEqual(pod.meta.labels["pod-template-generation"], "1")
            XCTAssertNotNil(pod.meta.labels["controller-revision-hash"])
            let tolerations = PodView(pod).tolerations
            XCTAssertTrue(tolerations.contains(["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"]))
            XCTAssertTrue(tolerations.contains(["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"]))
        }
        let revisions = h.list("controllerrevisions")
        XCTAssertEqual(revisions.count, 1)
        XCTAssertEqual(revisions.first?["revision"], 1)
        XCTAssertEqual(revisions.first?.meta.label("controller-revision-hash"), pods.first?.meta.labels["controller-revision-hash"])
        try h.readyAll()
        h.waitUntil("status counts") {
            let s = status(h, "agent")
            return s["desiredNumberScheduled"] == 2 && s["currentNumberScheduled"] == 2 && s["numberReady"] == 2
                && s["numberAvailable"] == 2 && s["updatedNumberScheduled"] == 2 && s["observedGeneration"] == 1
                && s["numberUnavailable"] == nil && s["numberMisscheduled"] == 0
        }
        // A new node with the label gets its pod; relabelling one away removes its pod.
        try addNodes(h, ["n5"], labels: ["disk": "ssd"])
        h.waitUntil("a pod on n5") { h.pods(owner: "agent").compactMap(DaemonPods.targetNode).contains("n5") }
        var node = try h.store("", "nodes").get(namespace: nil, name: "n1").object
        node[path: "metadata", "labels"] = [:]
        _ = try h.store("", "nodes").update(namespace: nil, name: "n1", body: RequestBody(value: node), options: WriteOptions())
        h.waitUntil("n1's pod removed") { !h.pods(owner: "agent").compactMap(DaemonPods.targetNode).contains("n1") }
    }

    func testRollingUpdateReplacesOneNodeAtATime() throws {
        let h = try WorkloadHarness()
        try addNodes(h, ["n1", "n2", "n3"])
        try h.create("daemonsets", Self.daemonSet("agent"))
        h.waitUntil("three pods") { h.pods(owner: "agent").count == 3 }
        try h.readyAll()
        h.waitUntil("available") { status(h, "agent")["numberAvailable"] == 3 }
        try h.modify("daemonsets", "agent") { WorkloadHarness.setImage(&$0, "nginx:2") }
        XCTAssertEqual(h.get("daemonsets", "agent")[path: "metadata", "annotations", "deprecated.daemonset.template.generation"], "2")
        var seen = 0
        for _ in 0..<3 {
            try h.waitUntil("one more new pod") {
                try h.removeTerminating()
                let pods = h.pods(owner: "agent")
                let new = pods.filter { $0.meta.labels["pod-template-generation"] == "2" }
                // maxUnavailable 1: never more than one node without an available pod.
                XCTAssertGreaterThanOrEqual(pods.filter { PodView($0).isReady }.count, 2)
                return new.count > seen
            }
            seen += 1
            try h.readyAll()
        }
        h.waitUntil("rolled out") {
            let s = status(h, "agent")
            return s["updatedNumberScheduled"] == 3 && s["numberAvailable"] == 3 && s["observedGeneration"] == 2
        }
        XCTAssertEqual(h.list("controllerrevisions").compactMap { $0["revision"]?.intValue }.sorted(), [1, 2])
    }

    func testSurgeStartsTheNewPodBesideTheOld() throws {
        let h = try WorkloadHarness()
        try addNodes(h, ["n1", "n2"])
        try h.create("daemonsets", Self.daemonSet("agent") {
            $0[path: "spec", "updateStrategy"] = ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0, "maxSurge": 1]]
        })
        h.waitUntil("two pods") { h.pods(owner: "agent").count == 2 }
        try h.readyAll()
        h.waitUntil("available") { status(h, "agent")["numberAvailable"] == 2 }
        try h.modify("daemonsets", "agent") { WorkloadHarness.setImage(&$0, "nginx:2") }
        // maxSurge 1: one node gets a second (new) pod while its old one keeps serving.
        h.waitUntil("a surge pod") { h.pods(owner: "agent").count == 3 }
        let byNode = Dictionary(grouping: h.pods(owner: "agent"), by: { DaemonPods.targetNode($0) ?? "" })
        XCTAssertEqual(byNode.values.map(\.count).sorted(), [1, 2])
        for _ in 0..<2 {
            try h.readyAll()
            try h.waitUntil("old pods go once their replacements are available") {
                try h.removeTerminating()
                return h.pods(owner: "agent").count <= 3
            }
        }
        try h.waitUntil("rolled out") {
            try h.removeTerminating()
            try h.readyAll()
            let pods = h.pods(owner: "agent")
            return pods.count == 2 && pods.allSatisfy { $0.meta.labels["pod-template-generation"] == "2" }
                && status(h, "agent")["updatedNumberScheduled"] == 2 && status(h, "agent")["numberAvailable"] == 2
        }
    }

    func testAdoptsAnOrphanedRevision() throws {
        let h = try WorkloadHarness()
        try addNodes(h, ["n1"])
        let orphan: JSON = ["apiVersion": "apps/v1", "kind": "ControllerRevision",
                            "metadata": ["name": "agent-old", "labels": ["app": "agent", "controller-revision-hash": "old"]],
                            "data": ["spec": ["template": ["$patch": "replace"]]], "revision": 1]
        try h.create("controllerrevisions", orphan)
        let set = try h.create("daemonsets", Self.daemonSet("agent"))
        h.waitUntil("the orphan adopted and a new revision on top") {
            let revisions = h.list("controllerrevisions")
            return revisions.count == 2 && revisions.allSatisfy { $0.meta.controllerRef?.uid == set.meta.uid }
                && revisions.first { $0.meta.name != "agent-old" }?["revision"] == 2
        }
    }

    func testOnDeleteWaitsForTheUser() throws {
        let h = try WorkloadHarness()
        try addNodes(h, ["n1"])
        try h.create("daemonsets", Self.daemonSet("agent") { $0[path: "spec", "updateStrategy"] = ["type": "OnDelete"] })
        h.waitUntil("a pod") { h.pods(owner: "agent").count == 1 }
        try h.readyAll()
        try h.modify("daemonsets", "agent") { WorkloadHarness.setImage(&$0, "nginx:2") }
        h.waitUntil("observed") { status(h, "agent")["observedGeneration"] == 2 }
        XCTAssertEqual(status(h, "agent")["updatedNumberScheduled"], nil)
        let old = h.pods(owner: "agent")[0]
        XCTAssertEqual(old.meta.labels["pod-template-generation"], "1")
        var options = DeleteOptions()
        options.gracePeriodSeconds = 0
        _ = try h.store("", "pods").delete(namespace: "default", name: old.meta.name, options: options)
        h.waitUntil("replaced by a new pod") { h.pods(owner: "agent").first?.meta.labels["pod-template-generation"] == "2" }
    }

    func testNoExecuteTaintEvictsAndFailedPodIsReplaced() throws {
        let h = try WorkloadHarness()
        try addNodes(h, ["n1", "n2"])
        try h.create("daemonsets", Self.daemonSet("agent"))
        h.waitUntil("two pods") { h.pods(owner: "agent").count == 2 }
        let onN1 = try XCTUnwrap(h.pods(owner: "agent").first { DaemonPods.targetNode($0) == "n1" })
        try h.setPodStatus(onN1.meta.name, ready: false, phase: "Failed")
        try h.waitUntil("the failed pod replaced") {
            try h.removeTerminating()
            let pods = h.pods(owner: "agent").filter { DaemonPods.targetNode($0) == "n1" }
            return pods.count == 1 && pods[0].meta.name != onN1.meta.name
        }
        XCTAssertTrue(h.events("agent").contains { $0.reason == "FailedDaemonPod" })
        // Failing again within the 1 s backoff: replaced only once the injected clock passes it.
        let second = try XCTUnwrap(h.pods(owner: "agent").first { DaemonPods.targetNode($0) == "n1" })
        try h.setPodStatus(second.meta.name)
        h.waitUntil("the new pod counted ready") { status(h, "agent")["numberReady"] == 1 }
        try h.setPodStatus(second.meta.name, ready: false, phase: "Failed")
        h.waitUntil("the set saw the failure") { status(h, "agent")["numberReady"] == 0 }
        XCTAssertEqual(h.events("agent").filter { $0.reason == "FailedDaemonPod" }.count, 1)
        XCTAssertEqual(try h.store("", "pods").get(namespace: "default", name: second.meta.name).object.meta.isBeingDeleted, false)
        h.timers.advance(by: .seconds(2))
        try h.waitUntil("the second failed pod replaced after the backoff") {
            try h.removeTerminating()
            let pods = h.pods(owner: "agent").filter { DaemonPods.targetNode($0) == "n1" }
            return pods.count == 1 && pods[0].meta.name != second.meta.name
        }
        XCTAssertEqual(h.events("agent").filter { $0.reason == "FailedDaemonPod" }.count, 2)
        var node = try h.store("", "nodes").get(namespace: nil, name: "n2").object
        node["spec"] = ["taints": [["key": "maintenance", "effect": "NoExecute"]]]
        _ = try h.store("", "nodes").update(namespace: nil, name: "n2", body: RequestBody(value: node), options: WriteOptions())
        try h.waitUntil("n2's pod evicted") {
            try h.removeTerminating()
            return h.pods(owner: "agent").compactMap(DaemonPods.targetNode) == ["n1"]
        }
        h.waitUntil("desired 1") { status(h, "agent")["desiredNumberScheduled"] == 1 }
    }
}
