import APIMachinery
import Foundation
@testable import Registry
import XCTest

/// Cases follow upstream's TestPrintPod* (printers_test.go), expressed as v1 JSON.
final class PodTableTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    func ago(_ seconds: TimeInterval) -> JSON { .string(Timestamp.format(now.addingTimeInterval(-seconds))) }

    func pod(_ name: String, containers: Int = 1, initContainers: [JSON] = [], status: JSON, deleting: Bool = false) -> JSON {
        var metadata: JSON = ["name": .string(name), "creationTimestamp": ago(300)]
        if deleting { metadata["deletionTimestamp"] = ago(1) }
        return ["metadata": metadata,
                "spec": ["containers": .array((0..<containers).map { ["name": .string("c\($0)"), "image": "redis"] }),
                         "initContainers": .array(initContainers)],
                "status": status]
    }

    func summary(_ pod: JSON) -> [JSON] { Array(PodTable.cells(pod, now: now).prefix(4)) }

    func testColumnsMatchUpstream() {
        XCTAssertEqual(PodTable.columns.map(\.name), ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"])
        XCTAssertEqual(PodTable.columns.map(\.priority), [0, 0, 0, 0, 0, 1, 1, 1, 1])
        XCTAssertEqual(PodTable.columns[0].format, "name")
        XCTAssertTrue(PodTable.columns.allSatisfy { $0.type == "string" })
    }

    func testRunningStatefulSetPodWideCells() {
        let p: JSON = [
            "metadata": ["name": "redis-sts-0", "creationTimestamp": ago(125)],
            "spec": ["nodeName": "kubelite", "containers": [["name": "redis", "image": "redis:5-alpine"]]],
            "status": ["phase": "Running", "podIP": "10.244.0.5", "podIPs": [["ip": "10.244.0.5"]],
                       "conditions": [["type": "Ready", "status": "True"]],
                       "containerStatuses": [["name": "redis", "ready": true, "restartCount": 0,
                                              "state": ["running": ["startedAt": ago(120)]]]]],
        ]
        XCTAssertEqual(PodTable.cells(p, now: now),
                       ["redis-sts-0", "1/1", "Running", "0", "2m5s", "10.244.0.5", "kubelite", "<none>", "<none>"])
    }

    func testPendingWithoutStatusesAndNoNode() {
        let cells = PodTable.cells(pod("p", status: ["phase": "Pending"]), now: now)
        XCTAssertEqual(cells, ["p", "0/1", "Pending", "0", "5m", "<none>", "<none>", "<none>", "<none>"])
    }

    func testWaitingReasonWins() {
        let status: JSON = ["phase": "Pending", "containerStatuses": [["ready": false, "restartCount": 0, "state": ["waiting": ["reason": "ContainerCreating"]]]]]
        XCTAssertEqual(summary(pod("p", status: status)), ["p", "0/1", "ContainerCreating", "0"])
    }

    func testCrashLoopWithRecentRestart() {
        let status: JSON = ["phase": "Running", "containerStatuses": [[
            "ready": false, "restartCount": 3, "state": ["waiting": ["reason": "CrashLoopBackOff"]],
            "lastState": ["terminated": ["exitCode": 1, "reason": "Error", "finishedAt": ago(300)]]]]]
        XCTAssertEqual(summary(pod("p", status: status)), ["p", "0/1", "CrashLoopBackOff", "3 (5m ago)"])
    }

    func testRestartsUseLatestTermination() {
        // upstream test14: 6 restarts 5d ago and 3 restarts 20d ago → "9 (5d ago)"
        let status: JSON = ["phase": "Running", "containerStatuses": [
            ["ready": true, "restartCount": 6, "state": ["running": [:]], "lastState": ["terminated": ["finishedAt": ago(5 * 86400)]]],
            ["ready": true, "restartCount": 3, "state": ["running": [:]], "lastState": ["terminated": ["finishedAt": ago(20 * 86400)]]],
        ]]
        XCTAssertEqual(summary(pod("test14", containers: 2, status: status)), ["test14", "2/2", "Running", "9 (5d ago)"])
    }

    func testCompletedWithRunningContainerIsNotReadyOrRunning() {
        var status: JSON = ["phase": "Running", "containerStatuses": [
            ["ready": true, "restartCount": 3, "state": ["terminated": ["reason": "Completed", "exitCode": 0]]],
            ["ready": true, "restartCount": 3, "state": ["running": [:]]],
        ]]
        XCTAssertEqual(summary(pod("test6", containers: 2, status: status)), ["test6", "1/2", "NotReady", "6"])
        status["conditions"] = [["type": "Ready", "status": "True"]]
        XCTAssertEqual(summary(pod("test6", containers: 2, status: status)), ["test6", "1/2", "Running", "6"])
    }

    func testTerminatedWithoutReasonShowsExitCodeOrSignal() {
        let exit: JSON = ["phase": "Running", "containerStatuses": [["state": ["terminated": ["exitCode": 137]]]]]
        XCTAssertEqual(summary(pod("p", status: exit))[2], "ExitCode:137")
        let signal: JSON = ["phase": "Running", "containerStatuses": [["state": ["terminated": ["exitCode": 0, "signal": 9]]]]]
        XCTAssertEqual(summary(pod("p", status: signal))[2], "Signal:9")
    }

    func testInitContainerProgress() {
        // upstream test9: the first init container finished, the second restarting → Init:1/2
        let status: JSON = ["phase": "Pending",
            "initContainerStatuses": [
                ["ready": false, "state": ["terminated": [:]]],
                ["ready": false, "restartCount": 3, "state": ["running": [:]], "lastState": ["terminated": ["finishedAt": ago(10)]]],
            ],
            "containerStatuses": [["ready": false, "state": ["waiting": [:]]]]]
        let p = pod("test9", initContainers: [["name": "i0"], ["name": "i1"]], status: status)
        XCTAssertEqual(summary(p), ["test9", "0/1", "Init:1/2", "3 (10s ago)"])
    }

    func testInitContainerFailureReasons() {
        let crash: JSON = ["phase": "Pending", "initContainerStatuses": [["state": ["waiting": ["reason": "CrashLoopBackOff"]]]]]
        XCTAssertEqual(summary(pod("p", initContainers: [["name": "i"]], status: crash))[2], "Init:CrashLoopBackOff")
        let failed: JSON = ["phase": "Pending", "initContainerStatuses": [["state": ["terminated": ["exitCode": 2]]]]]
        XCTAssertEqual(summary(pod("p", initContainers: [["name": "i"]], status: failed))[2], "Init:ExitCode:2")
        let initializing: JSON = ["phase": "Pending", "initContainerStatuses": [["state": ["waiting": ["reason": "PodInitializing"]]]]]
        XCTAssertEqual(summary(pod("p", initContainers: [["name": "i"]], status: initializing))[2], "Init:0/1")
    }

    func testRestartableInitContainerCountsAsContainer() {
        // upstream TestPrintPodWithRestartableInitContainer: a started, ready sidecar counts toward READY.
        let status: JSON = ["phase": "Running",
            "initContainerStatuses": [["name": "sidecar", "ready": true, "started": true, "restartCount": 2,
                                       "state": ["running": [:]], "lastState": ["terminated": ["finishedAt": ago(60)]]]],
            "containerStatuses": [["ready": true, "restartCount": 0, "state": ["running": [:]]]],
            "conditions": [["type": "Initialized", "status": "True"], ["type": "Ready", "status": "True"]]]
        let p = pod("p", initContainers: [["name": "sidecar", "restartPolicy": "Always"]], status: status)
        XCTAssertEqual(summary(p), ["p", "2/2", "Running", "2 (60s ago)"])
    }

    func testSucceededPodShowsCompletedEvenWhenDeleting() {
        let status: JSON = ["phase": "Succeeded", "containerStatuses": [["state": ["terminated": ["reason": "Completed", "exitCode": 0]]]]]
        XCTAssertEqual(summary(pod("p", status: status)), ["p", "0/1", "Completed", "0"])
        XCTAssertEqual(summary(pod("p", status: status, deleting: true)), ["p", "0/1", "Completed", "0"])
    }

    func testDeletionShowsTerminatingOrUnknown() {
        XCTAssertEqual(summary(pod("p", status: ["phase": "Running"], deleting: true))[2], "Terminating")
        XCTAssertEqual(summary(pod("p", status: ["phase": "Pending"], deleting: true))[2], "Terminating")
        XCTAssertEqual(summary(pod("p", status: ["phase": "Running", "reason": "NodeLost"], deleting: true))[2], "Unknown")
    }

    func testSchedulingGated() {
        let status: JSON = ["phase": "Pending", "conditions": [["type": "PodScheduled", "status": "False", "reason": "SchedulingGated"]]]
        XCTAssertEqual(summary(pod("p", containers: 2, status: status)), ["p", "0/2", "SchedulingGated", "0"])
    }

    func testStatusReasonOverridesPhase() {
        XCTAssertEqual(summary(pod("p", status: ["phase": "Failed", "reason": "Evicted"]))[2], "Evicted")
    }

    func testReadinessGatesAndNominatedNode() {
        var p = pod("p", status: ["phase": "Pending", "nominatedNodeName": "node-2",
                                  "conditions": [["type": "example.com/gate-a", "status": "True"]]])
        p[path: "spec", "readinessGates"] = [["conditionType": "example.com/gate-a"], ["conditionType": "example.com/gate-b"]]
        let cells = PodTable.cells(p, now: now)
        XCTAssertEqual(cells[7], "node-2")
        XCTAssertEqual(cells[8], "1/2")
    }
}
