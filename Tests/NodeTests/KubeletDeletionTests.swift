import APIMachinery
import ControllerRuntime
import Foundation
import KubeliteTesting
@testable import Node
import Registry
import XCTest

final class KubeletDeletionTests: XCTestCase {
    func running(_ cluster: NodeTestCluster, _ name: String, spec: JSONObject = [:]) throws {
        try cluster.createPod(NodeTestCluster.podBody(name, spec: spec))
        waitUntil("\(name) running") { cluster.pod(name)?[path: "status", "phase"] == "Running" }
    }

    func testDeletedPodIsRemovedRightAwayByDefault() throws {
        let cluster = try NodeTestCluster()
        try running(cluster, "web-0")
        guard case .marked(let marked) = try cluster.store("pods").delete(namespace: "default", name: "web-0", options: DeleteOptions()) else {
            return XCTFail("a bound pod is deleted gracefully")
        }
        XCTAssertEqual(marked[path: "metadata", "deletionGracePeriodSeconds"], 30)
        waitUntil("removed by the kubelet") { cluster.pod("web-0") == nil }
        let killing = cluster.events(about: "web-0").first { $0["reason"] == "Killing" }
        XCTAssertEqual(killing?["message"], "Stopping container redis")
        XCTAssertEqual(killing?[path: "involvedObject", "fieldPath"], "spec.containers{redis}")
        waitUntil("address released") { cluster.kubelet.allocatedAddresses(on: "kubelite-node") == 0 }
    }

    func testRemovalWaitsTheScaledGracePeriod() throws {
        let cluster = try NodeTestCluster(SimulatedNodeOptions(terminationGraceScale: 0.5))
        try running(cluster, "web-0", spec: ["terminationGracePeriodSeconds": 20])
        _ = try cluster.store("pods").delete(namespace: "default", name: "web-0", options: DeleteOptions())
        waitUntil("Killing event") { cluster.eventReasons(about: "web-0").contains("Killing") }
        cluster.advance(.seconds(9))
        cluster.settle()
        XCTAssertNotNil(cluster.pod("web-0"))
        XCTAssertEqual(cluster.pod("web-0")?[path: "status", "phase"], "Running")
        cluster.advance(.seconds(1))
        waitUntil("removed after 20 s × 0.5") { cluster.pod("web-0") == nil }
    }

    func testFullGracePeriodAndShorteningIt() throws {
        let cluster = try NodeTestCluster(SimulatedNodeOptions(terminationGraceScale: 1))
        try running(cluster, "web-0")
        _ = try cluster.store("pods").delete(namespace: "default", name: "web-0", options: DeleteOptions())
        waitUntil("Killing event") { cluster.eventReasons(about: "web-0").contains("Killing") }
        cluster.advance(.seconds(29))
        cluster.settle()
        XCTAssertNotNil(cluster.pod("web-0"))
        cluster.advance(.seconds(1))
        waitUntil("removed after 30 s") { cluster.pod("web-0") == nil }

        // A forced delete (grace 0) goes at once, kubelet or not.
        try running(cluster, "web-1")
        var force = DeleteOptions()
        force.gracePeriodSeconds = 0
        guard case .deleted = try cluster.store("pods").delete(namespace: "default", name: "web-1", options: force) else {
            return XCTFail("grace period 0 removes the pod")
        }
    }

    func testPendingUnboundPodIsDeletedAtOnce() throws {
        let cluster = try NodeTestCluster()
        try cluster.createPod(NodeTestCluster.podBody("stuck", spec: ["nodeSelector": ["no": "where"]]))
        guard case .deleted = try cluster.store("pods").delete(namespace: "default", name: "stuck", options: DeleteOptions()) else {
            return XCTFail("an unbound pod goes at once")
        }
    }

    func testNamespaceWithRunningPodsGoesWhenTheKubeletRemovesThem() throws {
        let cluster = try NodeTestCluster(SimulatedNodeOptions(terminationGraceScale: 1))
        let namespaces = cluster.store("namespaces")
        _ = try namespaces.create(namespace: nil, body: RequestBody(value: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]]),
                                  options: WriteOptions())
        try cluster.createPod(NodeTestCluster.podBody("api", namespace: "team"))
        waitUntil("running") { cluster.pod("api", namespace: "team")?[path: "status", "phase"] == "Running" }
        _ = try namespaces.delete(namespace: nil, name: "team", options: DeleteOptions())
        XCTAssertEqual(try namespaces.get(namespace: nil, name: "team").object[path: "status", "phase"], "Terminating")
        // No Killing event here: nothing new may be created in a Terminating namespace, events included.
        waitUntil("deletion seen") { cluster.kubelet.isTerminating(namespace: "team", name: "api") }
        cluster.advance(.seconds(30))
        waitUntil("namespace gone") { (try? namespaces.get(namespace: nil, name: "team")) == nil }
    }
}
