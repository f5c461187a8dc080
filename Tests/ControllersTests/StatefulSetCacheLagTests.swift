import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Storage
import XCTest

/// A sync that runs again before the pod cache has seen the controller's own writes must wait for
/// it rather than act on the stale cache (upstream's stale controller mitigation).
final class StatefulSetCacheLagTests: XCTestCase {
    func testFailedPodIsNotDeletedTwiceWhileTheCacheLags() throws {
        let h = try StatefulSetHarness(workers: 1, gatePods: true)
        let gate = try XCTUnwrap(h.podGate)
        try h.create(StatefulSetHarness.statefulSet("f", replicas: 1))
        try h.readyInOrder(["f-0"])
        h.waitUntil("f-0 counted ready") { h.status("f")["readyReplicas"]?.intValue == 1 }
        h.settle()

        gate.closeAtNextDeletion()
        try h.setPodStatus("f-0", phase: "Failed", ready: false)
        h.waitUntil("f-0 deleted, its deletion held from the cache") { h.pod("f-0") == nil && gate.heldCount > 0 }
        h.controller.current?.queue.add("default/f")
        h.settle()
        XCTAssertNil(h.pod("f-0"), "not recreated before the cache has seen the deletion")
        XCTAssertEqual(h.events("f").map(\.reason), ["SuccessfulCreate", "SuccessfulDelete"], "the failed pod is deleted once")

        gate.open()
        h.waitUntil("f-0 recreated") { h.pod("f-0") != nil }
        // The second, identical create event is counted on the first, as client-go's correlator does.
        h.waitUntil("the create event counted twice") { h.eventCount("f", reason: "SuccessfulCreate") == 2 }
        h.settle()
        XCTAssertEqual(h.events("f").map(\.reason), ["SuccessfulCreate", "SuccessfulDelete"])
    }

    func testScaleDownDeletesOnceWhileTheCacheLags() throws {
        let h = try StatefulSetHarness(workers: 1, gatePods: true)
        let gate = try XCTUnwrap(h.podGate)
        try h.create(StatefulSetHarness.statefulSet("d", replicas: 1))
        try h.readyInOrder(["d-0"])
        h.waitUntil("d-0 counted ready") { h.status("d")["readyReplicas"]?.intValue == 1 }
        h.settle()

        gate.closeAtNextDeletion()
        try h.modifySet("d") { $0[path: "spec", "replicas"] = 0 }
        h.waitUntil("d-0 deleted, its deletion held from the cache") { h.pod("d-0") == nil && gate.heldCount > 0 }
        h.controller.current?.queue.add("default/d")
        h.settle()
        gate.open()
        h.waitUntil("status replicas 0") { h.status("d")["replicas"]?.intValue == 0 }
        h.settle()
        XCTAssertEqual(h.events("d").map(\.reason), ["SuccessfulCreate", "SuccessfulDelete"])
    }

    func testInformerReportsTheNewestRevisionItHasApplied() throws {
        let informer = Informer(resource: "pods")
        func stored(_ name: String, _ revision: Int64) -> StoredObject {
            let object: JSON = ["metadata": ["name": .string(name), "namespace": "default", "resourceVersion": .string(String(revision))]]
            return StoredObject(key: StorageKey(resource: "pods", namespace: "default", name: name), object: object,
                                bytes: JSONWriter.encode(object), revision: revision)
        }
        XCTAssertEqual(informer.lastSyncRevision, 0)
        _ = informer.receive(.added(stored("a", 5)))
        XCTAssertEqual(informer.lastSyncRevision, 5)
        _ = informer.bookmark(revision: 6, initialEventsEnd: true)
        XCTAssertEqual(informer.lastSyncRevision, 6)
        _ = informer.receive(.deleted(stored("a", 9)))
        XCTAssertEqual(informer.lastSyncRevision, 9)
        XCTAssertNil(informer.get(namespace: "default", name: "a"))
    }
}
