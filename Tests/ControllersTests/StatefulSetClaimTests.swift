import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import XCTest

/// volumeClaimTemplates: claim names and labels, creation before the pod, reuse, retention policies.
final class StatefulSetClaimTests: XCTestCase {
    func testClaimsAreNamedLabelledAndCreatedBeforeThePod() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("redis-pv-sts", replicas: 2, claims: true))
        try h.readyInOrder(["redis-pv-sts-0", "redis-pv-sts-1"])
        h.waitUntil("two claims") { h.claims().count == 2 }
        XCTAssertEqual(h.claims().map(\.meta.name).sorted(), ["data-redis-pv-sts-0", "data-redis-pv-sts-1"])
        let claim = try XCTUnwrap(h.claim("data-redis-pv-sts-0"))
        XCTAssertEqual(claim.meta.labels, ["app": "redis-pv-sts"])
        XCTAssertEqual(claim[path: "spec", "storageClassName"], "nfs-client")
        XCTAssertEqual(claim[path: "spec", "resources", "requests", "storage"], "100Mi")
        XCTAssertEqual(claim[path: "spec", "accessModes"], ["ReadWriteMany"])
        XCTAssertNil(claim[path: "metadata", "ownerReferences"], "Retain/Retain leaves claims unowned")

        let volumes = h.pod("redis-pv-sts-0")?[path: "spec", "volumes"]?.arrayValue ?? []
        XCTAssertEqual(volumes.first?["name"], "data")
        XCTAssertEqual(volumes.first?[path: "persistentVolumeClaim", "claimName"], "data-redis-pv-sts-0")

        let events = h.events("redis-pv-sts")
        XCTAssertEqual(Array(events.map(\.message).prefix(2)), [
            "create Claim data-redis-pv-sts-0 Pod redis-pv-sts-0 in StatefulSet redis-pv-sts success",
            "create Pod redis-pv-sts-0 in StatefulSet redis-pv-sts successful",
        ])
    }

    func testRecreatedPodReusesItsClaim() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("redis-pv-sts", replicas: 1, claims: true))
        try h.readyInOrder(["redis-pv-sts-0"])
        let claimUID = h.claim("data-redis-pv-sts-0")?.meta.uid
        let podUID = h.pod("redis-pv-sts-0")?.meta.uid
        try h.deletePod("redis-pv-sts-0")
        h.waitUntil("pod is back") { (h.pod("redis-pv-sts-0")?.meta.uid).map { $0 != podUID } ?? false }
        XCTAssertEqual(h.claim("data-redis-pv-sts-0")?.meta.uid, claimUID, "the claim is never recreated")
        XCTAssertEqual(h.claims().count, 1)
        XCTAssertEqual(h.pod("redis-pv-sts-0")?[path: "spec", "volumes"]?.arrayValue?.first?[path: "persistentVolumeClaim", "claimName"],
                       "data-redis-pv-sts-0")
        XCTAssertEqual(h.events("redis-pv-sts").filter { $0.message.hasPrefix("create Claim") }.count, 1)
    }

    func testExistingClaimIsUsedAsIs() throws {
        let h = try StatefulSetHarness()
        let existing: JSON = [
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": ["name": "data-pre-0", "labels": ["keep": "me"]],
            "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]]],
        ]
        let created = try h.store("", "persistentvolumeclaims").create(namespace: "default", body: .init(value: existing), options: .init()).object
        try h.create(StatefulSetHarness.statefulSet("pre", replicas: 1, claims: true))
        h.waitUntil("pod exists") { h.pod("pre-0") != nil }
        XCTAssertEqual(h.claim("data-pre-0")?.meta.uid, created.meta.uid)
        XCTAssertEqual(h.claim("data-pre-0")?[path: "spec", "resources", "requests", "storage"], "1Gi")
    }

    func testWhenDeletedDeleteOwnsClaimsBySet() throws {
        let h = try StatefulSetHarness()
        let set = try h.create(StatefulSetHarness.statefulSet("wd", replicas: 1, claims: true) {
            $0[path: "spec", "persistentVolumeClaimRetentionPolicy"] = ["whenDeleted": "Delete", "whenScaled": "Retain"]
        })
        try h.readyInOrder(["wd-0"])
        h.waitUntil("claim owned by the set") { !(h.claim("data-wd-0")?.meta.ownerReferences.isEmpty ?? true) }
        XCTAssertEqual(h.claim("data-wd-0")?.meta.ownerReferences.map(\.object), [[
            "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "wd", "uid": .string(set.meta.uid),
            "controller": true, "blockOwnerDeletion": true,
        ]])
    }

    func testWhenScaledDeleteOwnsCondemnedClaimsByPod() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("ws", replicas: 2, claims: true) {
            $0[path: "spec", "persistentVolumeClaimRetentionPolicy"] = ["whenDeleted": "Retain", "whenScaled": "Delete"]
        })
        try h.readyInOrder(["ws-0", "ws-1"])
        h.waitUntil("2 ready") { h.status("ws")["readyReplicas"]?.intValue == 2 }
        XCTAssertNil(h.claim("data-ws-1")?[path: "metadata", "ownerReferences"], "a claim in range has no owner under Delete/Retain")
        let podUID = h.pod("ws-1")?.meta.uid ?? ""
        try h.modifySet("ws") { $0[path: "spec", "replicas"] = 1 }
        h.waitUntil("ws-1 deleted") { h.pod("ws-1") == nil }
        XCTAssertEqual(h.claim("data-ws-1")?.meta.ownerReferences.map(\.object), [[
            "apiVersion": "v1", "kind": "Pod", "name": "ws-1", "uid": .string(podUID), "controller": true, "blockOwnerDeletion": true,
        ]])
        XCTAssertNil(h.claim("data-ws-0")?[path: "metadata", "ownerReferences"])
    }

    func testDeleteDeleteOwnsInRangeBySetAndCondemnedByPod() throws {
        let h = try StatefulSetHarness()
        let set = try h.create(StatefulSetHarness.statefulSet("dd", replicas: 2, claims: true) {
            $0[path: "spec", "persistentVolumeClaimRetentionPolicy"] = ["whenDeleted": "Delete", "whenScaled": "Delete"]
        })
        try h.readyInOrder(["dd-0", "dd-1"])
        h.waitUntil("claims owned by the set") { h.claim("data-dd-1")?.meta.ownerReferences.first?.uid == set.meta.uid }
        try h.modifySet("dd") { $0[path: "spec", "replicas"] = 1 }
        h.waitUntil("dd-1 deleted") { h.pod("dd-1") == nil }
        let refs = h.claim("data-dd-1")?.meta.ownerReferences.map(\.object) ?? []
        XCTAssertEqual(refs.map { $0["kind"] }, ["Pod"], "a condemned claim moves from the set to its pod")
        XCTAssertEqual(h.claim("data-dd-0")?.meta.ownerReferences.map(\.kind), ["StatefulSet"])
    }

    func testRetentionPolicyTableDecisions() {
        var set = StatefulSetObject(StatefulSetHarness.statefulSet("t", replicas: 1, claims: true))
        set.object[path: "metadata", "uid"] = "set-uid"
        let inRange: JSON = ["metadata": ["name": "t-0", "uid": "pod0"]]
        let condemned: JSON = ["metadata": ["name": "t-3", "uid": "pod3"]]
        let bare: JSON = ["metadata": ["name": "data-t-0"]]
        func refs(_ scaled: String, _ deleted: String, _ pod: JSON) -> [String] {
            var s = set
            s.object[path: "spec", "persistentVolumeClaimRetentionPolicy"] = ["whenDeleted": .string(deleted), "whenScaled": .string(scaled)]
            var claim = bare
            ClaimRetention.updateOwnerRefs(&claim, s, pod)
            XCTAssertTrue(ClaimRetention.isUpToDate(claim, s, pod))
            return claim.meta.ownerReferences.map(\.uid)
        }
        XCTAssertEqual(refs("Retain", "Retain", condemned), [])
        XCTAssertEqual(refs("Retain", "Delete", inRange), ["set-uid"])
        XCTAssertEqual(refs("Retain", "Delete", condemned), ["set-uid"])
        XCTAssertEqual(refs("Delete", "Retain", inRange), [])
        XCTAssertEqual(refs("Delete", "Retain", condemned), ["pod3"])
        XCTAssertEqual(refs("Delete", "Delete", inRange), ["set-uid"])
        XCTAssertEqual(refs("Delete", "Delete", condemned), ["pod3"])
    }
}
