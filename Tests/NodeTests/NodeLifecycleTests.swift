import APIMachinery
import ControllerRuntime
import Foundation
import KubeliteTesting
@testable import Node
import Registry
import XCTest

final class NodeLifecycleTests: XCTestCase {
    func testOneNodeRegisteredReadyWithUpstreamShape() throws {
        let cluster = try NodeTestCluster()
        let nodes = cluster.store("nodes").list(namespace: nil).items.map(\.object)
        XCTAssertEqual(nodes.compactMap { $0[path: "metadata", "name"]?.stringValue }, ["kubelite-node"])
        let node = nodes[0]
        XCTAssertEqual(node[path: "metadata", "labels", "kubernetes.io/hostname"], "kubelite-node")
        XCTAssertEqual(node[path: "metadata", "labels", "kubernetes.io/os"], "linux")
        XCTAssertEqual(node[path: "metadata", "labels", "kubernetes.io/arch"], "amd64")
        XCTAssertEqual(node[path: "spec", "podCIDR"], "10.244.0.0/24")
        XCTAssertEqual(node[path: "spec", "podCIDRs"], ["10.244.0.0/24"])
        XCTAssertEqual(node[path: "status", "capacity", "pods"], "110")
        XCTAssertEqual(node[path: "status", "capacity", "cpu"], "8")
        XCTAssertEqual(node[path: "status", "allocatable", "memory"], "16Gi")
        XCTAssertNotNil(node[path: "status", "capacity", "ephemeral-storage"])
        XCTAssertEqual(node[path: "status", "addresses"], [
            ["type": "InternalIP", "address": "172.18.0.2"], ["type": "Hostname", "address": "kubelite-node"],
        ])
        XCTAssertEqual(node[path: "status", "nodeInfo", "kubeletVersion"], "v1.32.0")
        XCTAssertEqual(node[path: "status", "nodeInfo", "containerRuntimeVersion"], "kubelite://0.1")
        XCTAssertEqual(node[path: "status", "nodeInfo", "architecture"], "amd64")
        XCTAssertEqual(node[path: "status", "nodeInfo", "operatingSystem"], "linux")
        XCTAssertEqual(node[path: "status", "daemonEndpoints", "kubeletEndpoint", "Port"], 10250)
        let conditions = node[path: "status", "conditions"]?.arrayValue ?? []
        XCTAssertEqual(conditions.compactMap { $0["type"]?.stringValue }, ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"])
        XCTAssertEqual(conditions.compactMap { $0["status"]?.stringValue }, ["False", "False", "False", "True"])
        XCTAssertEqual(conditions[3]["reason"], "KubeletReady")
        XCTAssertEqual(conditions[3]["message"], "kubelet is posting ready status")
        XCTAssertEqual(conditions[3]["lastHeartbeatTime"], .string(Timestamp.format(cluster.timers.now())))
    }

    func testSeveralNodesGetNumberedNamesAndOwnRanges() throws {
        let cluster = try NodeTestCluster(SimulatedNodeOptions(nodes: 3))
        let nodes = cluster.store("nodes").list(namespace: nil).items.map(\.object)
        XCTAssertEqual(nodes.compactMap { $0[path: "metadata", "name"]?.stringValue }, ["kubelite-node-1", "kubelite-node-2", "kubelite-node-3"])
        XCTAssertEqual(nodes.compactMap { $0[path: "spec", "podCIDR"]?.stringValue }, ["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24"])
        let ips = nodes.compactMap { $0[path: "status", "addresses"]?.arrayValue?.first?["address"]?.stringValue }
        XCTAssertEqual(ips, ["172.18.0.2", "172.18.0.3", "172.18.0.4"])
    }

    func testAReplicasNodesTakeTheirNameAndTheRangesFromTheirIndexOn() throws {
        var options = SimulatedNodeOptions(nodes: 2)
        options.nodeName = "replica-b"
        options.firstNodeIndex = 2
        let cluster = try NodeTestCluster(options)
        let nodes = cluster.store("nodes").list(namespace: nil).items.map(\.object)
        XCTAssertEqual(nodes.compactMap { $0[path: "metadata", "name"]?.stringValue }, ["replica-b-1", "replica-b-2"])
        XCTAssertEqual(nodes.compactMap { $0[path: "spec", "podCIDR"]?.stringValue }, ["10.244.2.0/24", "10.244.3.0/24"])
        let ips = nodes.compactMap { $0[path: "status", "addresses"]?.arrayValue?.first?["address"]?.stringValue }
        XCTAssertEqual(ips, ["172.18.0.4", "172.18.0.5"])
        XCTAssertEqual(options.index(of: "replica-b-2"), 3)
    }

    func testLeaseRenewedEveryTenSecondsOfTheClock() throws {
        let cluster = try NodeTestCluster()
        let leases = cluster.store("leases", group: "coordination.k8s.io")
        let node = try cluster.store("nodes").get(namespace: nil, name: "kubelite-node").object
        var lease = try leases.get(namespace: "kube-node-lease", name: "kubelite-node").object
        XCTAssertEqual(lease[path: "spec", "holderIdentity"], "kubelite-node")
        XCTAssertEqual(lease[path: "spec", "leaseDurationSeconds"], 40)
        XCTAssertEqual(lease[path: "metadata", "ownerReferences"]?.arrayValue?.first?["uid"], node[path: "metadata", "uid"])
        let start = cluster.timers.now()
        XCTAssertEqual(lease[path: "spec", "renewTime"], .string(Timestamp.formatMicro(start)))

        cluster.advance(.seconds(9))
        lease = try leases.get(namespace: "kube-node-lease", name: "kubelite-node").object
        XCTAssertEqual(lease[path: "spec", "renewTime"], .string(Timestamp.formatMicro(start)))
        cluster.advance(.seconds(1))
        lease = try leases.get(namespace: "kube-node-lease", name: "kubelite-node").object
        XCTAssertEqual(lease[path: "spec", "renewTime"], .string(Timestamp.formatMicro(start.addingTimeInterval(10))))
        cluster.advance(.seconds(20))
        lease = try leases.get(namespace: "kube-node-lease", name: "kubelite-node").object
        XCTAssertEqual(lease[path: "spec", "renewTime"], .string(Timestamp.formatMicro(start.addingTimeInterval(30))))
    }

    func testNodeStatusHeartbeatKeepsTransitionTimes() throws {
        let cluster = try NodeTestCluster()
        let start = Timestamp.format(cluster.timers.now())
        cluster.advance(.seconds(300))
        let node = try cluster.store("nodes").get(namespace: nil, name: "kubelite-node").object
        let ready = node[path: "status", "conditions"]?.arrayValue?.last
        XCTAssertEqual(ready?["lastHeartbeatTime"], .string(Timestamp.format(cluster.timers.now())))
        XCTAssertEqual(ready?["lastTransitionTime"], .string(start))
    }

    func testDeletedLeaseAndNodeAreRegisteredAgain() throws {
        let cluster = try NodeTestCluster()
        let leases = cluster.store("leases", group: "coordination.k8s.io")
        _ = try leases.delete(namespace: "kube-node-lease", name: "kubelite-node", options: DeleteOptions())
        _ = try cluster.store("nodes").delete(namespace: nil, name: "kubelite-node", options: DeleteOptions())
        cluster.advance(.seconds(10))
        XCTAssertNotNil(try? leases.get(namespace: "kube-node-lease", name: "kubelite-node"))
        XCTAssertNotNil(try? cluster.store("nodes").get(namespace: nil, name: "kubelite-node"))
    }

    func testCordonIsKeptAcrossStatusReports() throws {
        let cluster = try NodeTestCluster()
        _ = try cluster.store("nodes").patch(namespace: nil, name: "kubelite-node", type: .merge,
                                             patch: RequestBody(value: ["spec": ["unschedulable": true]]), options: WriteOptions())
        cluster.advance(.seconds(300))
        let node = try cluster.store("nodes").get(namespace: nil, name: "kubelite-node").object
        XCTAssertEqual(node[path: "spec", "unschedulable"], true)
    }
}
