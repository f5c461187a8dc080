import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import XCTest

/// Failures surface as upstream's Warning events, and `kubectl rollout undo`'s patch round-trips.
final class StatefulSetFailureTests: XCTestCase {
    func testRejectedPodRecordsFailedCreate() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("bad", replicas: 1) {
            $0[path: "spec", "template", "spec", "containers"] = [["name": "Bad_Name", "image": "redis"]]
        })
        h.waitUntil("a FailedCreate event") { h.events("bad").contains { $0.reason == "FailedCreate" } }
        let event = try XCTUnwrap(h.events("bad").first { $0.reason == "FailedCreate" })
        XCTAssertEqual(event.type, "Warning")
        XCTAssertTrue(event.message.hasPrefix("create Pod bad-0 in StatefulSet bad failed error: Pod \"bad-0\" is invalid: spec.containers[0].name"),
                      event.message)
        XCTAssertNil(h.pod("bad-0"))
        h.waitUntil("status still written") { h.status("bad")["updateRevision"] != nil }
    }

    func testRejectedClaimRecordsFailedCreateForClaimAndPod() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("nc", replicas: 1, claims: true) {
            $0[path: "spec", "volumeClaimTemplates"] = [["metadata": ["name": "data"], "spec": ["accessModes": ["ReadWriteOnce"]]]]
        })
        h.waitUntil("two FailedCreate events") { h.events("nc").filter { $0.reason == "FailedCreate" }.count >= 2 }
        let messages = h.events("nc").filter { $0.reason == "FailedCreate" }.map(\.message)
        XCTAssertTrue(messages[0].hasPrefix("create Claim data-nc-0 for Pod nc-0 in StatefulSet nc failed error: PersistentVolumeClaim \"data-nc-0\" is invalid"),
                      messages[0])
        XCTAssertTrue(messages[1].hasPrefix("create Pod nc-0 in StatefulSet nc failed error: failed to create PVC data-nc-0: PersistentVolumeClaim"),
                      messages[1])
        XCTAssertNil(h.pod("nc-0"), "no pod without its claim")
    }

    func testRollbackPatchFromARevisionRestoresTheTemplate() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("un", replicas: 1))
        try h.readyInOrder(["un-0"])
        h.waitUntil("revision 1") { h.revisions("un").count == 1 }
        let first = h.revisions("un")[0]
        try h.modifySet("un") { set in
            var containers = set[path: "spec", "template", "spec", "containers"]?.arrayValue ?? []
            containers[0]["image"] = "redis:7"
            set[path: "spec", "template", "spec", "containers"] = .array(containers)
        }
        h.waitUntil("revision 2") { h.revisions("un").count == 2 }
        // What `kubectl rollout undo` sends: the revision's data as a strategic merge patch.
        _ = try h.store("apps", "statefulsets").patch(namespace: "default", name: "un", type: .strategic,
                                                      patch: .init(value: first["data"]!), options: .init())
        XCTAssertEqual(h.set("un")[path: "spec", "template", "spec", "containers"]?.arrayValue?.first?["image"], "redis:5-alpine")
        h.waitUntil("revision 1 renumbered to 3") { h.revisions("un").last?.meta.name == first.meta.name }
        XCTAssertEqual(h.revisions("un").last?["revision"], 3)
    }
}
