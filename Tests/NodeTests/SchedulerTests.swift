import APIMachinery
import ControllerRuntime
import Foundation
import KubeliteTesting
@testable import Node
import Registry
import XCTest

final class SchedulerTests: XCTestCase {
    func testPendingPodIsBoundThroughBindingWithScheduledEvent() throws {
        let cluster = try NodeTestCluster()
        try cluster.createPod(NodeTestCluster.podBody("web-0"))
        waitUntil("pod bound") { cluster.pod("web-0")?[path: "spec", "nodeName"] == "kubelite-node" }
        let scheduled = NodeTestCluster.condition(cluster.pod("web-0"), "PodScheduled")
        XCTAssertEqual(scheduled?["status"], "True")
        XCTAssertNil(scheduled?["reason"])
        waitUntil("Scheduled event") { cluster.eventReasons(about: "web-0").contains("Scheduled") }
        let event = cluster.events(about: "web-0").first { $0["reason"] == "Scheduled" }
        XCTAssertEqual(event?["message"], "Successfully assigned default/web-0 to kubelite-node")
        XCTAssertEqual(event?["type"], "Normal")
        XCTAssertEqual(event?[path: "source", "component"], "default-scheduler")
    }

    func testNodeSelectorMismatchLeavesPodUnschedulableWithUpstreamMessage() throws {
        let cluster = try NodeTestCluster()
        try cluster.createPod(NodeTestCluster.podBody("picky", spec: ["nodeSelector": ["disk": "ssd"]]))
        let expected = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
            + "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
        waitUntil("Unschedulable condition") { NodeTestCluster.condition(cluster.pod("picky"), "PodScheduled")?["reason"] == "Unschedulable" }
        let condition = NodeTestCluster.condition(cluster.pod("picky"), "PodScheduled")
        XCTAssertEqual(condition?["status"], "False")
        XCTAssertEqual(condition?["message"], .string(expected))
        XCTAssertEqual(cluster.pod("picky")?[path: "status", "phase"], "Pending")
        waitUntil("FailedScheduling event") { cluster.eventReasons(about: "picky").contains("FailedScheduling") }
        let event = cluster.events(about: "picky").first { $0["reason"] == "FailedScheduling" }
        XCTAssertEqual(event?["type"], "Warning")
        XCTAssertEqual(event?["message"], .string(expected))

        // Labelling the node makes the pod fit: it is retried and bound.
        _ = try cluster.store("nodes").patch(namespace: nil, name: "kubelite-node", type: .merge,
                                             patch: RequestBody(value: ["metadata": ["labels": ["disk": "ssd"]]]), options: WriteOptions())
        waitUntil("pod bound after relabel") { cluster.pod("picky")?[path: "spec", "nodeName"] == "kubelite-node" }
        XCTAssertEqual(NodeTestCluster.condition(cluster.pod("picky"), "PodScheduled")?["status"], "True")
    }

    func testCordonedNodeTaintAndResourceMessages() throws {
        let cluster = try NodeTestCluster(SimulatedNodeOptions(nodes: 3))
        let nodes = cluster.store("nodes")
        _ = try nodes.patch(namespace: nil, name: "kubelite-node-1", type: .merge,
                            patch: RequestBody(value: ["spec": ["unschedulable": true]]), options: WriteOptions())
        _ = try nodes.patch(namespace: nil, name: "kubelite-node-2", type: .merge,
                            patch: RequestBody(value: ["spec": ["taints": [["key": "dedicated", "value": "db", "effect": "NoSchedule"]]]]),
                            options: WriteOptions())
        try cluster.createPod(NodeTestCluster.podBody("big", container: ["resources": ["requests": ["cpu": "9"]]]))
        let expected = "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: db}, "
            + "1 node(s) were unschedulable. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
            + "2 Preemption is not helpful for scheduling."
        waitUntil("Unschedulable condition") { NodeTestCluster.condition(cluster.pod("big"), "PodScheduled")?["message"] == .string(expected) }

        // A pod tolerating the taint fits on node 2.
        try cluster.createPod(NodeTestCluster.podBody("tolerant", spec: [
            "tolerations": [["key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"]],
        ]))
        waitUntil("tolerant pod bound") { cluster.pod("tolerant")?[path: "spec", "nodeName"] == "kubelite-node-2" }
    }

    func testPreemptionPolicyNeverMessage() throws {
        let cluster = try NodeTestCluster()
        // A pod's preemption policy comes from its PriorityClass (Priority admission).
        let never: JSON = ["apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": ["name": "never"],
                           "value": 100, "preemptionPolicy": "Never"]
        _ = try cluster.store("priorityclasses", group: "scheduling.k8s.io").create(namespace: nil, body: RequestBody(value: never), options: WriteOptions())
        try cluster.createPod(NodeTestCluster.podBody("never", spec: ["priorityClassName": "never", "nodeSelector": ["x": "y"]]))
        let expected = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
            + "preemption: not eligible due to preemptionPolicy=Never."
        waitUntil("message") { NodeTestCluster.condition(cluster.pod("never"), "PodScheduled")?["message"] == .string(expected) }
    }

    func testPodsSpreadOverNodesAndTooManyPods() throws {
        let cluster = try NodeTestCluster(SimulatedNodeOptions(nodes: 2, pods: 2))
        for i in 0..<4 { try cluster.createPod(NodeTestCluster.podBody("p\(i)")) }
        waitUntil("all bound") { (0..<4).allSatisfy { cluster.pod("p\($0)")?[path: "spec", "nodeName"] != nil } }
        let placement = (0..<4).compactMap { cluster.pod("p\($0)")?[path: "spec", "nodeName"]?.stringValue }
        XCTAssertEqual(placement.filter { $0 == "kubelite-node-1" }.count, 2)
        XCTAssertEqual(placement.filter { $0 == "kubelite-node-2" }.count, 2)
        try cluster.createPod(NodeTestCluster.podBody("p4"))
        let expected = "0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."
        waitUntil("too many pods") { NodeTestCluster.condition(cluster.pod("p4"), "PodScheduled")?["message"] == .string(expected) }
        // Freeing a slot lets the waiting pod in.
        _ = try cluster.store("pods").delete(namespace: "default", name: "p0", options: DeleteOptions())
        waitUntil("p4 bound after a pod left") { cluster.pod("p4")?[path: "spec", "nodeName"] != nil }
    }

    func testOtherSchedulersAndGatedPodsAreLeftAlone() throws {
        let cluster = try NodeTestCluster()
        try cluster.createPod(NodeTestCluster.podBody("custom", spec: ["schedulerName": "my-scheduler"]))
        try cluster.createPod(NodeTestCluster.podBody("gated", spec: ["schedulingGates": [["name": "example.com/wait"]]]))
        try cluster.createPod(NodeTestCluster.podBody("marker"))
        waitUntil("marker bound") { cluster.pod("marker")?[path: "spec", "nodeName"] != nil }
        XCTAssertNil(cluster.pod("custom")?[path: "spec", "nodeName"])
        XCTAssertNil(cluster.pod("gated")?[path: "spec", "nodeName"])
    }

    func testNodeAffinityExpressions() {
        let node: JSON = ["metadata": ["name": "n1", "labels": ["zone": "a", "size": "4"]]]
        func pod(_ terms: JSON) -> JSON {
            ["spec": ["affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": terms]]]]]
        }
        XCTAssertTrue(NodeFit.matchesAffinity(pod: pod([["matchExpressions": [["key": "zone", "operator": "In", "values": ["a", "b"]]]]]), node: node))
        XCTAssertFalse(NodeFit.matchesAffinity(pod: pod([["matchExpressions": [["key": "zone", "operator": "NotIn", "values": ["a"]]]]]), node: node))
        XCTAssertTrue(NodeFit.matchesAffinity(pod: pod([["matchExpressions": [["key": "size", "operator": "Gt", "values": ["3"]]]]]), node: node))
        XCTAssertTrue(NodeFit.matchesAffinity(pod: pod([["matchExpressions": [["key": "gpu", "operator": "DoesNotExist"]]]]), node: node))
        XCTAssertTrue(NodeFit.matchesAffinity(pod: pod([["matchFields": [["key": "metadata.name", "operator": "In", "values": ["n1"]]]]]), node: node))
        // Terms are ORed.
        XCTAssertTrue(NodeFit.matchesAffinity(pod: pod([
            ["matchExpressions": [["key": "zone", "operator": "In", "values": ["z"]]]],
            ["matchExpressions": [["key": "zone", "operator": "Exists"]]],
        ]), node: node))
    }

    func testRequestsTakeInitContainersAndSidecarsIntoAccount() {
        let pod: JSON = ["spec": [
            "initContainers": [
                ["name": "side", "restartPolicy": "Always", "resources": ["requests": ["cpu": "100m"]]],
                ["name": "setup", "resources": ["requests": ["cpu": "2"]]],
            ],
            "containers": [["name": "app", "resources": ["requests": ["cpu": "500m", "memory": "1Gi"]]]],
        ]]
        let requests = NodeFit.requests(of: pod)
        XCTAssertEqual(requests["cpu"], 2100)
        XCTAssertEqual(requests["memory"], 1 << 30)
    }
}
