import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import XCTest

/// Parallel pod management, recreation of deleted and finished pods, and a pod held unready.
final class StatefulSetLifecycleTests: XCTestCase {
    func testParallelCreatesAndDeletesAllAtOnce() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("p", replicas: 4, policy: "Parallel"))
        h.waitUntil("all four exist without any being ready") { h.podNames("p").count == 4 }
        XCTAssertEqual(h.podNames("p"), ["p-0", "p-1", "p-2", "p-3"])
        h.waitUntil("status replicas 4") { h.status("p")["replicas"]?.intValue == 4 }
        XCTAssertNil(h.status("p")["readyReplicas"])

        try h.modifySet("p") { $0[path: "spec", "replicas"] = 1 }
        h.waitUntil("scaled down to 1 while none is ready") { h.podNames("p") == ["p-0"] }
    }

    func testHeldUnreadyPodBlocksTheNextOrdinal() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("u", replicas: 3))
        try h.readyInOrder(["u-0"])
        h.waitUntil("u-1 exists") { h.pod("u-1") != nil }
        try h.setPodStatus("u-1", phase: "Pending", ready: false)
        h.settle()
        XCTAssertEqual(h.podNames("u"), ["u-0", "u-1"])
        try h.setPodStatus("u-1", phase: "Running", ready: false)
        h.settle()
        XCTAssertEqual(h.podNames("u"), ["u-0", "u-1"], "Running without Ready still blocks u-2")
        try h.setPodStatus("u-1")
        h.waitUntil("u-2 exists") { h.pod("u-2") != nil }
    }

    func testDeletedPodComesBackWithTheSameName() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("redis-sts", replicas: 2))
        try h.readyInOrder(["redis-sts-0", "redis-sts-1"])
        let oldUID = h.pod("redis-sts-0")?.meta.uid
        try h.deletePod("redis-sts-0")
        h.waitUntil("redis-sts-0 is back") { (h.pod("redis-sts-0")?.meta.uid).map { $0 != oldUID } ?? false }
        XCTAssertEqual(h.pod("redis-sts-0")?[path: "spec", "hostname"], "redis-sts-0")
        h.waitUntil("status counts the pending replacement") {
            h.status("redis-sts")["readyReplicas"]?.intValue == 1 && h.status("redis-sts")["replicas"]?.intValue == 2
        }
    }

    func testFailedPodIsDeletedThenRecreated() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("f", replicas: 1))
        try h.readyInOrder(["f-0"])
        let oldUID = h.pod("f-0")?.meta.uid
        try h.setPodStatus("f-0", phase: "Failed", ready: false)
        h.waitUntil("f-0 recreated") { (h.pod("f-0")?.meta.uid).map { $0 != oldUID } ?? false }
        XCTAssertEqual(h.pod("f-0")?[path: "status", "phase"], "Pending")
        h.waitUntil("the watch saw create, delete, create") { h.podLog.all == ["+f-0", "-f-0", "+f-0"] }
        // The second, identical create event is counted on the first, as client-go's correlator does.
        h.waitUntil("the create event counted twice") { h.eventCount("f", reason: "SuccessfulCreate") == 2 }
        XCTAssertEqual(h.events("f").map(\.reason), ["SuccessfulCreate", "SuccessfulDelete"])
    }

    func testSucceededPodIsAlsoRecreated() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("s", replicas: 1, policy: "Parallel"))
        h.waitUntil("s-0 exists") { h.pod("s-0") != nil }
        let oldUID = h.pod("s-0")?.meta.uid
        try h.setPodStatus("s-0", phase: "Succeeded", ready: false)
        h.waitUntil("s-0 recreated") { (h.pod("s-0")?.meta.uid).map { $0 != oldUID } ?? false }
    }

    func testOrphanPodWithMatchingNameAndLabelsIsAdopted() throws {
        let h = try StatefulSetHarness()
        let orphan: JSON = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": "a-0", "labels": ["app": "a"]],
            "spec": ["containers": [["name": "c", "image": "redis"]]],
        ]
        _ = try h.store("", "pods").create(namespace: "default", body: .init(value: orphan), options: .init())
        let set = try h.create(StatefulSetHarness.statefulSet("a", replicas: 1))
        h.waitUntil("a-0 adopted") { h.pod("a-0")?.meta.controllerRef?.uid == set.meta.uid }
    }

    func testDeletedStatefulSetStopsBeingSynced() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("gone", replicas: 1))
        h.waitUntil("gone-0 exists") { h.pod("gone-0") != nil }
        // A sync already under way when the set goes may still recreate the pod (the garbage
        // collector would remove it); this test is about the syncs that come after.
        h.settle()
        _ = try h.store("apps", "statefulsets").delete(namespace: "default", name: "gone", options: DeleteOptions())
        try h.deletePod("gone-0")
        h.settle()
        XCTAssertNil(h.pod("gone-0"))
    }
}
