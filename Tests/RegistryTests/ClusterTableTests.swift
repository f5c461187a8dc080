import APIMachinery
import Foundation
@testable import Registry
import XCTest

/// Node, Namespace, Event, Lease, ConfigMap, Secret, StatefulSet and ControllerRevision rows.
final class ClusterTableTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    func ago(_ seconds: TimeInterval) -> JSON { .string(Timestamp.format(now.addingTimeInterval(-seconds))) }

    func testEveryServedKindHasAPrinterWithMatchingCellCount() {
        // Create-only review kinds are never listed, so they have no table.
        for resource in ResourceCatalog.all where resource.verbs.contains("list") {
            guard let printer = ResourceTables.printer(for: resource.kind) else { return XCTFail("no printer for \(resource.kind)") }
            XCTAssertEqual(printer.cells(["metadata": ["name": "x"]], now).count, printer.columns.count, resource.kind)
        }
    }

    func testNode() {
        XCTAssertEqual(NodeTable.columns.map(\.name),
                       ["Name", "Status", "Roles", "Age", "Version", "Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"])
        let node: JSON = [
            "metadata": ["name": "kubelite", "creationTimestamp": ago(3 * 86400),
                         "labels": ["node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "worker", "node-role.kubernetes.io/": ""]],
            "spec": ["unschedulable": true],
            "status": ["conditions": [["type": "MemoryPressure", "status": "False"], ["type": "Ready", "status": "True"]],
                       "addresses": [["type": "Hostname", "address": "kubelite"], ["type": "InternalIP", "address": "172.18.0.2"]],
                       "nodeInfo": ["kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12 (bookworm)",
                                    "kernelVersion": "6.1.0", "containerRuntimeVersion": "kubelite://0.1"]],
        ]
        XCTAssertEqual(NodeTable.cells(node, now: now),
                       ["kubelite", "Ready,SchedulingDisabled", "control-plane,worker", "3d", "v1.32.0", "172.18.0.2", "<none>",
                        "Debian GNU/Linux 12 (bookworm)", "6.1.0", "kubelite://0.1"])
    }

    func testNodeWithoutConditionsOrInfo() {
        let node: JSON = ["metadata": ["name": "n"], "status": ["conditions": [["type": "Ready", "status": "Unknown"]]]]
        XCTAssertEqual(NodeTable.cells(node, now: now),
                       ["n", "NotReady", "<none>", "<unknown>", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"])
        XCTAssertEqual(NodeTable.cells(["metadata": ["name": "n"]], now: now)[1], "Unknown")
    }

    func testNamespace() {
        let ns: JSON = ["metadata": ["name": "default", "creationTimestamp": ago(30)], "status": ["phase": "Active"]]
        XCTAssertEqual(NamespaceTable.cells(ns, now: now), ["default", "Active", "30s"])
        XCTAssertEqual(NamespaceTable.columns.map(\.name), ["Name", "Status", "Age"])
    }

    func testEventWideRow() {
        XCTAssertEqual(EventTable.columns.map(\.name),
                       ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"])
        XCTAssertEqual(EventTable.columns.map(\.priority), [0, 0, 0, 0, 1, 1, 0, 1, 1, 1])
        let event: JSON = [
            "metadata": ["name": "redis-sts-0.17a", "namespace": "default"],
            "involvedObject": ["kind": "Pod", "name": "redis-sts-0", "fieldPath": "spec.containers{redis}"],
            "reason": "Pulled", "message": "  Container image \"redis:5-alpine\" already present on machine\n", "type": "Normal",
            "source": ["component": "kubelet", "host": "kubelite"],
            "firstTimestamp": ago(600), "lastTimestamp": ago(65), "count": 2,
        ]
        XCTAssertEqual(EventTable.cells(event, now: now),
                       ["65s", "Normal", "Pulled", "pod/redis-sts-0", "spec.containers{redis}", "kubelet, kubelite",
                        "Container image \"redis:5-alpine\" already present on machine", "10m", 2, "redis-sts-0.17a"])
    }

    func testEventNewAPIFields() {
        // events.k8s.io-style events: eventTime only, reportingComponent/Instance, no count → 1
        let single: JSON = ["metadata": ["name": "e"], "involvedObject": ["kind": "StatefulSet", "name": "web"],
                            "eventTime": .string(Timestamp.formatMicro(now.addingTimeInterval(-5))),
                            "reportingComponent": "statefulset-controller", "type": "Normal", "reason": "SuccessfulCreate"]
        let cells = EventTable.cells(single, now: now)
        XCTAssertEqual(cells[0], "5s")
        XCTAssertEqual(cells[5], "statefulset-controller")
        XCTAssertEqual(cells[7], "5s")
        XCTAssertEqual(cells[8], 1)
        var series = single
        series["series"] = ["count": 4, "lastObservedTime": .string(Timestamp.formatMicro(now.addingTimeInterval(-2)))]
        series["involvedObject"] = ["kind": "Node"]
        let seriesCells = EventTable.cells(series, now: now)
        XCTAssertEqual(seriesCells[0], "2s")
        XCTAssertEqual(seriesCells[3], "node")
        XCTAssertEqual(seriesCells[8], 4)
        XCTAssertEqual(EventTable.cells(["metadata": ["name": "e"]], now: now)[0], "<unknown>")
    }

    func testLeaseConfigMapSecret() {
        let lease: JSON = ["metadata": ["name": "kubelite", "creationTimestamp": ago(10)], "spec": ["holderIdentity": "kubelite"]]
        XCTAssertEqual(LeaseTable.cells(lease, now: now), ["kubelite", "kubelite", "10s"])
        XCTAssertEqual(LeaseTable.cells(["metadata": ["name": "free"]], now: now), ["free", "", "<unknown>"])
        let cm: JSON = ["metadata": ["name": "kube-root-ca.crt", "creationTimestamp": ago(10)], "data": ["ca.crt": "x"], "binaryData": ["b": "AA=="]]
        XCTAssertEqual(ConfigMapTable.cells(cm, now: now), ["kube-root-ca.crt", 2, "10s"])
        let secret: JSON = ["metadata": ["name": "s", "creationTimestamp": ago(10)], "type": "Opaque", "data": ["a": "YQ==", "b": "Yg=="]]
        XCTAssertEqual(SecretTable.cells(secret, now: now), ["s", "Opaque", 2, "10s"])
        XCTAssertEqual(SecretTable.columns.map(\.name), ["Name", "Type", "Data", "Age"])
    }

    func testStatefulSet() {
        XCTAssertEqual(StatefulSetTable.columns.map(\.name), ["Name", "Ready", "Age", "Containers", "Images"])
        let sts: JSON = [
            "metadata": ["name": "redis-sts", "creationTimestamp": ago(45)],
            "spec": ["replicas": 2, "template": ["spec": ["containers": [["name": "redis", "image": "redis:5-alpine"],
                                                                         ["name": "exporter", "image": "oliver006/redis_exporter"]]]]],
            "status": ["replicas": 2, "readyReplicas": 2],
        ]
        XCTAssertEqual(StatefulSetTable.cells(sts, now: now), ["redis-sts", "2/2", "45s", "redis,exporter", "redis:5-alpine,oliver006/redis_exporter"])
        XCTAssertEqual(StatefulSetTable.cells(["metadata": ["name": "new"], "spec": ["replicas": 3]], now: now)[1], "0/3")
    }

    func testControllerRevision() {
        let rev: JSON = [
            "metadata": ["name": "redis-sts-5d8f7b9c6", "creationTimestamp": ago(45),
                         "ownerReferences": [["apiVersion": "apps/v1", "kind": "StatefulSet", "name": "redis-sts", "uid": "u", "controller": true]]],
            "revision": 1,
        ]
        XCTAssertEqual(ControllerRevisionTable.cells(rev, now: now), ["redis-sts-5d8f7b9c6", "statefulset.apps/redis-sts", 1, "45s"])
        let core: JSON = ["metadata": ["name": "r", "ownerReferences": [["apiVersion": "v1", "kind": "Pod", "name": "p", "controller": true]]], "revision": 3]
        XCTAssertEqual(ControllerRevisionTable.cells(core, now: now)[1], "pod/p")
        let orphan: JSON = ["metadata": ["name": "r", "ownerReferences": [["apiVersion": "apps/v1", "kind": "StatefulSet", "name": "x"]]], "revision": 3]
        XCTAssertEqual(ControllerRevisionTable.cells(orphan, now: now)[1], "<none>")
    }
}
