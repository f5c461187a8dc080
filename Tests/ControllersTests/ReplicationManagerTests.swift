import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import XCTest

/// The replication manager: the ReplicaSet controller over core/v1 ReplicationControllers, with
/// their equality selectors, v1 controller references and `replicationcontrollers/scale`.
final class ReplicationManagerTests: XCTestCase {
    static func controller(_ name: String, replicas: Int) -> JSON {
        ["apiVersion": "v1", "kind": "ReplicationController", "metadata": ["name": .string(name)],
         "spec": ["replicas": .int(Int64(replicas)), "template": WorkloadHarness.template(name)]]
    }

    func testPodsStatusAndScale() throws {
        let h = try WorkloadHarness()
        let rc = try h.create("replicationcontrollers", Self.controller("rc", replicas: 2), group: "")
        XCTAssertEqual(rc[path: "spec", "selector"], ["app": "rc"], "selector defaulted from the template's labels")
        h.waitUntil("two pods") { h.pods(owner: "rc").count == 2 }
        for pod in h.pods(owner: "rc") {
            let ref = try XCTUnwrap(pod.meta.controllerRef)
            XCTAssertEqual(ref.apiVersion, "v1")
            XCTAssertEqual(ref.kind, "ReplicationController")
            XCTAssertEqual(ref.uid, rc.meta.uid)
        }
        try h.readyAll()
        h.waitUntil("ready 2") {
            let s = ReplicaSetView(h.get("replicationcontrollers", "rc", group: ""))
            return s.readyReplicas == 2 && s.availableReplicas == 2 && s.observedGeneration == 1
        }
        XCTAssertEqual(h.events("rc").filter { $0.reason == "SuccessfulCreate" }.count, 2)

        let scale = try XCTUnwrap(h.registry.scale(GroupResource(group: "", resource: "replicationcontrollers")))
        var body = try scale.get(namespace: "default", name: "rc")
        XCTAssertEqual(body[path: "status", "selector"], "app=rc")
        body[path: "spec", "replicas"] = 1
        _ = try scale.update(namespace: "default", name: "rc", body: body, options: WriteOptions())
        h.waitUntil("scaled to one") { h.pods(owner: "rc").count == 1 }
    }

    func testAdoptsAMatchingOrphan() throws {
        let h = try WorkloadHarness()
        let orphan: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "stray", "labels": ["app": "rc", "extra": "x"]],
                            "spec": ["containers": [["name": "web", "image": "nginx:1"]]]]
        try h.create("pods", orphan, group: "")
        try h.create("replicationcontrollers", Self.controller("rc", replicas: 1), group: "")
        h.waitUntil("the orphan adopted") { h.pods(owner: "rc").map(\.meta.name) == ["stray"] }
        h.waitUntil("status replicas 1") { ReplicaSetView(h.get("replicationcontrollers", "rc", group: "")).statusReplicas == 1 }
        XCTAssertEqual(h.pods().count, 1, "no second pod was made")
    }
}
