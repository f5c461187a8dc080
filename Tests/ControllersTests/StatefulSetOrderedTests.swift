import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import XCTest

/// OrderedReady pod management: creation in ordinal order behind readiness, scale-down from the
/// highest ordinal, the pods' identity, status and events.
final class StatefulSetOrderedTests: XCTestCase {
    func testPodOneIsCreatedOnlyAfterPodZeroIsRunningAndReady() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("redis-sts", replicas: 2))
        h.waitUntil("redis-sts-0 exists") { h.pod("redis-sts-0") != nil }
        h.settle()
        XCTAssertEqual(h.podNames("redis-sts"), ["redis-sts-0"], "1 must wait for 0")

        try h.setPodStatus("redis-sts-0", phase: "Running", ready: false)
        h.settle()
        XCTAssertEqual(h.podNames("redis-sts"), ["redis-sts-0"], "Running but not Ready still blocks")

        try h.setPodStatus("redis-sts-0")
        h.waitUntil("redis-sts-1 exists") { h.pod("redis-sts-1") != nil }
        try h.setPodStatus("redis-sts-1")
        h.waitUntil("status shows 2 ready") { h.status("redis-sts")["readyReplicas"]?.intValue == 2 }
        h.waitUntil("the watch saw both creations in order") { h.podLog.all == ["+redis-sts-0", "+redis-sts-1"] }
    }

    func testPodIdentityLabelsHostnameSubdomainAndOwner() throws {
        let h = try StatefulSetHarness()
        let set = try h.create(StatefulSetHarness.statefulSet("redis-sts", replicas: 1))
        h.waitUntil("redis-sts-0 exists") { h.pod("redis-sts-0") != nil }
        h.waitUntil("revision recorded") { !(h.status("redis-sts")["updateRevision"]?.stringValue ?? "").isEmpty }
        let pod = try XCTUnwrap(h.pod("redis-sts-0"))
        let revision = h.status("redis-sts")["updateRevision"]?.stringValue ?? ""
        XCTAssertEqual(pod.meta.labels, ["app": "redis-sts", "statefulset.kubernetes.io/pod-name": "redis-sts-0",
                                        "apps.kubernetes.io/pod-index": "0", "controller-revision-hash": revision])
        XCTAssertEqual(pod[path: "spec", "hostname"], "redis-sts-0")
        XCTAssertEqual(pod[path: "spec", "subdomain"], "redis-sts-svc")
        XCTAssertEqual(pod[path: "metadata", "generateName"], "redis-sts-")
        XCTAssertEqual(pod.meta.ownerReferences.map(\.object), [[
            "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "redis-sts", "uid": .string(set.meta.uid),
            "controller": true, "blockOwnerDeletion": true,
        ]])
        XCTAssertTrue(revision.hasPrefix("redis-sts-"))
    }

    func testOrdinalsStartShiftsPodNames() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("web", replicas: 2) { $0[path: "spec", "ordinals"] = ["start": 3] })
        try h.readyInOrder(["web-3", "web-4"])
        h.waitUntil("2 ready") { h.status("web")["readyReplicas"]?.intValue == 2 }
        XCTAssertEqual(h.podNames("web"), ["web-3", "web-4"])
        XCTAssertEqual(h.pod("web-4")?.meta.labels["apps.kubernetes.io/pod-index"], "4")
    }

    func testScaleTwoToFiveToOneCreatesUpwardAndDeletesDownward() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("redis-sts", replicas: 2))
        try h.readyInOrder(["redis-sts-0", "redis-sts-1"])
        h.waitUntil("2 ready") { h.status("redis-sts")["readyReplicas"]?.intValue == 2 }

        try h.modifySet("redis-sts") { $0[path: "spec", "replicas"] = 5 }
        try h.readyInOrder(["redis-sts-2", "redis-sts-3", "redis-sts-4"])
        h.waitUntil("5 ready") { h.status("redis-sts")["readyReplicas"]?.intValue == 5 }
        h.waitUntil("creations in ordinal order") {
            h.podLog.all == ["+redis-sts-0", "+redis-sts-1", "+redis-sts-2", "+redis-sts-3", "+redis-sts-4"]
        }

        try h.modifySet("redis-sts") { $0[path: "spec", "replicas"] = 1 }
        h.waitUntil("scaled to 1") { h.podNames("redis-sts") == ["redis-sts-0"] }
        h.waitUntil("deletions from the highest ordinal") {
            Array(h.podLog.all.suffix(4)) == ["-redis-sts-4", "-redis-sts-3", "-redis-sts-2", "-redis-sts-1"]
        }
        h.waitUntil("status replicas 1") { h.status("redis-sts")["replicas"]?.intValue == 1 }
        let status = h.status("redis-sts")
        XCTAssertEqual(status["readyReplicas"]?.intValue, 1)
        XCTAssertEqual(status["availableReplicas"]?.intValue, 1)
        XCTAssertEqual(status["currentReplicas"]?.intValue, 1)
        XCTAssertEqual(status["updatedReplicas"]?.intValue, 1)
    }

    func testScaleDownWaitsForAnUnhealthyLowerPod() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("db", replicas: 3))
        try h.readyInOrder(["db-0", "db-1", "db-2"])
        h.waitUntil("3 ready") { h.status("db")["readyReplicas"]?.intValue == 3 }
        try h.setPodStatus("db-0", ready: false)
        h.waitUntil("ready count drops") { h.status("db")["readyReplicas"]?.intValue == 2 }
        try h.modifySet("db") { $0[path: "spec", "replicas"] = 1 }
        h.settle()
        XCTAssertEqual(h.podNames("db"), ["db-0", "db-1", "db-2"], "scale-down pauses while db-0 is unready")
        try h.setPodStatus("db-0")
        h.waitUntil("scaled down") { h.podNames("db") == ["db-0"] }
    }

    func testStatusAtEachStepOfCreation() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("s", replicas: 2))
        h.waitUntil("replicas 1 observed") { h.status("s")["replicas"]?.intValue == 1 }
        var status = h.status("s")
        XCTAssertEqual(status["observedGeneration"]?.intValue, 1)
        XCTAssertNil(status["readyReplicas"], "zero counts are omitted as Go's omitempty does")
        XCTAssertEqual(status["availableReplicas"]?.intValue, 0)
        XCTAssertEqual(status["currentReplicas"]?.intValue, 1)
        XCTAssertEqual(status["updatedReplicas"]?.intValue, 1)
        XCTAssertEqual(status["collisionCount"]?.intValue, 0)
        XCTAssertEqual(status["currentRevision"], status["updateRevision"])

        try h.setPodStatus("s-0")
        h.waitUntil("s-1 created") { h.pod("s-1") != nil }
        h.waitUntil("status 2/1") { h.status("s")["replicas"]?.intValue == 2 }
        status = h.status("s")
        XCTAssertEqual(status["readyReplicas"]?.intValue, 1)
        XCTAssertEqual(status["availableReplicas"]?.intValue, 1)
        try h.setPodStatus("s-1")
        h.waitUntil("all ready") { h.status("s")["readyReplicas"]?.intValue == 2 }
        XCTAssertEqual(Array(h.status("s").objectValue!.keys),
                       ["observedGeneration", "replicas", "readyReplicas", "currentReplicas", "updatedReplicas",
                        "currentRevision", "updateRevision", "collisionCount", "availableReplicas"])
    }

    func testMinReadySecondsHoldsTheNextOrdinalUntilAvailable() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("m", replicas: 2) { $0[path: "spec", "minReadySeconds"] = 10 })
        h.waitUntil("m-0 exists") { h.pod("m-0") != nil }
        try h.setPodStatus("m-0")
        h.settle()
        XCTAssertNil(h.pod("m-1"), "m-0 is ready but not yet available")
        XCTAssertEqual(h.status("m")["readyReplicas"]?.intValue, 1)
        XCTAssertEqual(h.status("m")["availableReplicas"]?.intValue, 0)
        h.timers.advance(by: .seconds(11))
        h.waitUntil("m-1 exists after minReadySeconds") { h.pod("m-1") != nil }
        h.waitUntil("m-0 counted available") { h.status("m")["availableReplicas"]?.intValue == 1 }
    }

    func testEventsForPodCreationAndDeletion() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("redis-sts", replicas: 1))
        try h.readyInOrder(["redis-sts-0"])
        try h.modifySet("redis-sts") { $0[path: "spec", "replicas"] = 0 }
        h.waitUntil("scaled to 0") { h.podNames("redis-sts").isEmpty }
        h.waitUntil("two events") { h.events("redis-sts").count == 2 }
        let events = h.events("redis-sts")
        XCTAssertEqual(events.map(\.reason), ["SuccessfulCreate", "SuccessfulDelete"])
        XCTAssertEqual(events[0].message, "create Pod redis-sts-0 in StatefulSet redis-sts successful")
        XCTAssertEqual(events[1].message, "delete Pod redis-sts-0 in StatefulSet redis-sts successful")
        XCTAssertEqual(events.map(\.type), ["Normal", "Normal"])
    }
}
