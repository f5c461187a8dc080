import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import XCTest

/// The Job controller: pods from the template with the tracking finalizer, counting, backoff on
/// the injected clock, upstream's conditions and events, suspend, Indexed Jobs, deadlines, TTL.
final class JobControllerTests: XCTestCase {
    func testAJobRunsAPodAndCompletes() throws {
        let h = try JobHarness()
        let job = try h.create("jobs", JobHarness.job("pi"))
        h.waitUntil("one pod") { h.pods("pi").count == 1 }
        let pod = h.pods("pi")[0]
        XCTAssertTrue(pod.meta.name.hasPrefix("pi-"))
        XCTAssertEqual(pod.meta.finalizers, [JobController.trackingFinalizer])
        XCTAssertEqual(pod.meta.labels["batch.kubernetes.io/job-name"], "pi")
        XCTAssertEqual(pod.meta.labels["controller-uid"], job.meta.uid)
        XCTAssertEqual(pod.meta.controllerRef?.kind, "Job")
        XCTAssertEqual(pod.meta.controllerRef?.apiVersion, "batch/v1")
        h.waitUntil("active 1 and started") { h.job("pi").active == 1 && h.job("pi").startTime != nil }
        try h.setPhase(pod.meta.name, "Succeeded")
        h.waitUntil("complete") { h.job("pi").has("Complete") }
        let done = h.job("pi")
        XCTAssertEqual(done.succeeded, 1)
        XCTAssertEqual(done.active, 0)
        XCTAssertTrue(done.has("SuccessCriteriaMet"))
        XCTAssertEqual(done.condition("Complete")?.reason, "CompletionsReached")
        XCTAssertNotNil(done.completionTime)
        XCTAssertEqual(done.status["uncountedTerminatedPods"], [:])
        h.waitUntil("finalizer removed") { h.get("pods", pod.meta.name, group: "")?.meta.finalizers == [] }
        h.settle()
        XCTAssertEqual(h.events("pi"), ["SuccessfulCreate: Created pod: \(pod.meta.name)", "Completed: Job completed"])
    }

    func testFailuresBackOffThenExceedTheLimit() throws {
        let h = try JobHarness()
        try h.create("jobs", JobHarness.job("bad", command: "exit 1") { $0[path: "spec", "backoffLimit"] = 1 })
        h.waitUntil("one pod") { h.pods("bad").count == 1 }
        try h.setPhase(h.pods("bad")[0].meta.name, "Failed")
        h.waitUntil("failed 1") { h.job("bad").failed == 1 }
        h.settle()
        // The first retry waits 10 s on the controller's clock.
        XCTAssertEqual(h.pods("bad").filter { PodView($0).phase != "Failed" }.count, 0)
        h.timers.advance(by: .seconds(9))
        h.settle()
        XCTAssertEqual(h.pods("bad").count, 1)
        h.timers.advance(by: .seconds(2))
        h.waitUntil("a second pod after the backoff") { h.pods("bad").count == 2 }
        let second = h.pods("bad").first { PodView($0).phase == "Pending" }!
        try h.setPhase(second.meta.name, "Failed")
        h.waitUntil("failed") { h.job("bad").has("Failed") }
        let failed = h.job("bad")
        XCTAssertEqual(failed.failed, 2)
        XCTAssertEqual(failed.condition("Failed")?.reason, "BackoffLimitExceeded")
        XCTAssertEqual(failed.condition("Failed")?.message, "Job has reached the specified backoff limit")
        XCTAssertTrue(failed.has("FailureTarget"))
        XCTAssertNil(failed.completionTime)
        h.settle()
        XCTAssertTrue(h.events("bad").contains("BackoffLimitExceeded: Job has reached the specified backoff limit"))
    }

    func testBackoffDoublesUpToTenMinutes() {
        XCTAssertEqual(JobBackoffStore.delay(failures: 1), 10)
        XCTAssertEqual(JobBackoffStore.delay(failures: 2), 20)
        XCTAssertEqual(JobBackoffStore.delay(failures: 6), 320)
        XCTAssertEqual(JobBackoffStore.delay(failures: 7), 600)
        XCTAssertEqual(JobBackoffStore.delay(failures: 30), 600)
    }

    func testParallelCompletions() throws {
        let h = try JobHarness()
        try h.create("jobs", JobHarness.job("par") {
            $0[path: "spec", "completions"] = 3
            $0[path: "spec", "parallelism"] = 2
        })
        h.waitUntil("two pods") { h.pods("par").count == 2 }
        h.settle()
        XCTAssertEqual(h.pods("par").count, 2)
        try h.setPhase(h.pods("par")[0].meta.name, "Succeeded")
        h.waitUntil("a third pod") { h.pods("par").filter { PodView($0).phase == "Pending" }.count == 2 }
        for pod in h.pods("par") where PodView(pod).phase == "Pending" { try h.setPhase(pod.meta.name, "Succeeded") }
        h.waitUntil("complete with 3") { h.job("par").has("Complete") && h.job("par").succeeded == 3 }
        XCTAssertEqual(h.pods("par").count, 3)
    }

    func testRestartsCountWithOnFailure() throws {
        let h = try JobHarness()
        try h.create("jobs", JobHarness.job("retry") {
            $0[path: "spec", "backoffLimit"] = 2
            $0[path: "spec", "template", "spec", "restartPolicy"] = "OnFailure"
        })
        h.waitUntil("one pod") { h.pods("retry").count == 1 }
        let pod = h.pods("retry")[0].meta.name
        try h.setPhase(pod, "Running", restarts: 1)
        h.settle()
        XCTAssertFalse(h.job("retry").has("FailureTarget"))
        try h.setPhase(pod, "Running", restarts: 2)
        h.waitUntil("failure target") { h.job("retry").has("FailureTarget") }
        h.removeTerminating()
        h.waitUntil("failed") { h.job("retry").has("Failed") }
        XCTAssertEqual(h.job("retry").condition("Failed")?.reason, "BackoffLimitExceeded")
    }

    func testSuspendDeletesPodsAndResumeRestarts() throws {
        let h = try JobHarness()
        try h.create("jobs", JobHarness.job("s"))
        h.waitUntil("one pod") { h.pods("s").count == 1 }
        try h.modify("jobs", "s") { $0[path: "spec", "suspend"] = true }
        h.waitUntil("suspended, pod deleted") { h.job("s").has("Suspended") && h.pods("s").isEmpty }
        XCTAssertEqual(h.job("s").condition("Suspended")?.reason, "JobSuspended")
        h.removeTerminating()
        h.settle()
        XCTAssertEqual(h.job("s").active, 0)
        try h.modify("jobs", "s") { $0[path: "spec", "suspend"] = false }
        h.waitUntil("resumed with a pod") {
            h.job("s").condition("Suspended")?.status == "False" && h.pods("s").count == 1
        }
        XCTAssertEqual(h.job("s").condition("Suspended")?.reason, "JobResumed")
        h.settle()
        XCTAssertTrue(h.events("s").contains("Suspended: Job suspended"))
        XCTAssertTrue(h.events("s").contains("Resumed: Job resumed"))
    }

    func testIndexedJobPodsCarryTheirIndex() throws {
        let h = try JobHarness()
        try h.create("jobs", JobHarness.job("idx") {
            $0[path: "spec", "completions"] = 3
            $0[path: "spec", "parallelism"] = 3
            $0[path: "spec", "completionMode"] = "Indexed"
        })
        h.waitUntil("three pods") { h.pods("idx").count == 3 }
        let pods = h.pods("idx").sorted { ($0.meta.annotation(JobPods.indexAnnotation) ?? "") < ($1.meta.annotation(JobPods.indexAnnotation) ?? "") }
        for (i, pod) in pods.enumerated() {
            XCTAssertEqual(pod.meta.annotation(JobPods.indexAnnotation), String(i))
            XCTAssertEqual(pod.meta.labels[JobPods.indexLabel], String(i))
            XCTAssertTrue(pod.meta.name.hasPrefix("idx-\(i)-"))
            XCTAssertEqual(PodView(pod).hostname, "idx-\(i)")
            let env = pod[path: "spec", "containers"]?.arrayValue?.first?["env"]?.arrayValue ?? []
            XCTAssertEqual(env.first?["name"], "JOB_COMPLETION_INDEX")
        }
        try h.setPhase(pods[0].meta.name, "Succeeded")
        try h.setPhase(pods[2].meta.name, "Succeeded")
        h.waitUntil("indexes 0 and 2") { h.job("idx").completedIndexes == "0,2" && h.job("idx").succeeded == 2 }
        try h.setPhase(pods[1].meta.name, "Succeeded")
        h.waitUntil("complete") { h.job("idx").has("Complete") && h.job("idx").completedIndexes == "0-2" }
    }

    func testActiveDeadlineOnTheInjectedClock() throws {
        let h = try JobHarness()
        try h.create("jobs", JobHarness.job("slow") { $0[path: "spec", "activeDeadlineSeconds"] = 30 })
        h.waitUntil("one pod") { h.pods("slow").count == 1 }
        h.settle()
        h.timers.advance(by: .seconds(31))
        h.waitUntil("deadline target, pod deleted") { h.job("slow").has("FailureTarget") && h.pods("slow").isEmpty }
        h.removeTerminating()
        h.waitUntil("failed") { h.job("slow").has("Failed") }
        XCTAssertEqual(h.job("slow").condition("Failed")?.reason, "DeadlineExceeded")
        XCTAssertEqual(h.job("slow").condition("Failed")?.message, "Job was active longer than specified deadline")
    }

    func testTTLAfterFinishedDeletesTheJob() throws {
        let h = try JobHarness()
        try h.create("jobs", JobHarness.job("ttl") { $0[path: "spec", "ttlSecondsAfterFinished"] = 60 })
        h.waitUntil("one pod") { h.pods("ttl").count == 1 }
        try h.setPhase(h.pods("ttl")[0].meta.name, "Succeeded")
        h.waitUntil("complete") { h.job("ttl").has("Complete") }
        h.settle()
        h.timers.advance(by: .seconds(59))
        h.settle()
        XCTAssertNotNil(h.get("jobs", "ttl"))
        h.timers.advance(by: .seconds(2))
        h.waitUntil("deleted (foreground: marked, or gone)") {
            guard let job = h.get("jobs", "ttl") else { return true }
            return job.meta.isBeingDeleted
        }
    }

    func testPodsOfADeletedJobLoseTheTrackingFinalizer() throws {
        let h = try JobHarness()
        try h.create("jobs", JobHarness.job("gone"))
        h.waitUntil("one pod") { h.pods("gone").count == 1 }
        let pod = h.pods("gone")[0].meta.name
        _ = try h.store("batch", "jobs").delete(namespace: "default", name: "gone", options: DeleteOptions())
        h.waitUntil("finalizer removed") { h.get("pods", pod, group: "")?.meta.finalizers == [] }
    }

    func testPodFailurePolicyFailsTheJobOrIgnoresAFailure() throws {
        let h = try JobHarness()
        let policy: JSON = ["rules": [
            ["action": "FailJob", "onExitCodes": ["containerName": "c", "operator": "In", "values": [42]]],
            ["action": "Ignore", "onExitCodes": ["operator": "In", "values": [7]]],
        ]]
        try h.create("jobs", JobHarness.job("pfp") {
            $0[path: "spec", "podFailurePolicy"] = policy
            $0[path: "spec", "backoffLimit"] = 0
        })
        h.waitUntil("one pod") { h.pods("pfp").count == 1 }
        let first = h.pods("pfp")[0].meta.name
        try h.setPhase(first, "Failed", exitCode: 7)
        // Ignored: not counted, no backoff, replaced at once.
        h.waitUntil("a replacement") { h.pods("pfp").contains { PodView($0).phase == "Pending" } }
        XCTAssertEqual(h.job("pfp").failed, 0)
        XCTAssertFalse(h.job("pfp").has("FailureTarget"))
        let second = h.pods("pfp").first { PodView($0).phase == "Pending" }!.meta.name
        try h.setPhase(second, "Failed", exitCode: 42)
        h.waitUntil("failed by the policy") { h.job("pfp").has("Failed") }
        let failed = h.job("pfp").condition("Failed")
        XCTAssertEqual(failed?.reason, "PodFailurePolicy")
        XCTAssertEqual(failed?.message, "Container c for pod default/\(second) failed with exit code 42 matching FailJob rule at index 0")
        XCTAssertEqual(h.job("pfp").failed, 1)
    }

    func testSuccessPolicyEndsAnIndexedJobEarly() throws {
        let h = try JobHarness()
        try h.create("jobs", JobHarness.job("leader") {
            $0[path: "spec", "completionMode"] = "Indexed"
            $0[path: "spec", "completions"] = 3
            $0[path: "spec", "parallelism"] = 3
            $0[path: "spec", "successPolicy"] = ["rules": [["succeededIndexes": "0"]]]
        })
        h.waitUntil("three pods") { h.pods("leader").count == 3 }
        let leader = h.pods("leader").first { $0.meta.annotation(JobPods.indexAnnotation) == "0" }!
        try h.setPhase(leader.meta.name, "Succeeded")
        h.waitUntil("success criteria met, workers deleted") {
            h.job("leader").condition("SuccessCriteriaMet")?.reason == "SuccessPolicy"
                && h.pods("leader").filter { PodView($0).phase != "Succeeded" }.isEmpty
        }
        h.removeTerminating()
        h.waitUntil("complete") { h.job("leader").has("Complete") }
        XCTAssertEqual(h.job("leader").condition("Complete")?.message, "Matched rules at index 0")
        XCTAssertEqual(h.job("leader").completedIndexes, "0")
    }

    func testBackoffLimitPerIndexFailsAnIndexForGood() throws {
        let h = try JobHarness()
        try h.create("jobs", JobHarness.job("per") {
            $0[path: "spec", "completionMode"] = "Indexed"
            $0[path: "spec", "completions"] = 2
            $0[path: "spec", "parallelism"] = 2
            $0[path: "spec", "backoffLimitPerIndex"] = 1
        })
        XCTAssertEqual(h.job("per").backoffLimit, Int(Int32.max))
        h.waitUntil("two pods") { h.pods("per").count == 2 }
        func pod(_ index: String) -> JSON? {
            h.pods("per").filter { $0.meta.annotation(JobPods.indexAnnotation) == index && PodView($0).phase == "Pending" }.first
        }
        XCTAssertEqual(pod("0")?.meta.annotation(JobPods.indexFailureCountAnnotation), "0")
        try h.setPhase(pod("0")!.meta.name, "Failed")
        h.waitUntil("failed 1, status.failedIndexes empty") { h.job("per").failed == 1 && h.job("per").failedIndexes == "" }
        h.settle()
        XCTAssertNil(pod("0"), "index 0 backs off for 10 s")
        h.timers.advance(by: .seconds(11))
        h.waitUntil("index 0 again, one failure recorded") { pod("0")?.meta.annotation(JobPods.indexFailureCountAnnotation) == "1" }
        try h.setPhase(pod("0")!.meta.name, "Failed")
        h.waitUntil("index 0 failed for good") { h.job("per").failedIndexes == "0" }
        try h.setPhase(pod("1")!.meta.name, "Succeeded")
        h.waitUntil("failed") { h.job("per").has("Failed") }
        XCTAssertEqual(h.job("per").condition("Failed")?.reason, "FailedIndexes")
        XCTAssertEqual(h.job("per").condition("Failed")?.message, "Job has failed indexes")
        XCTAssertEqual(h.job("per").completedIndexes, "1")
    }

    func testTheTerminalConditionWaitsForTerminatingPods() throws {
        let h = try JobHarness()
        try h.create("jobs", JobHarness.job("slow") { $0[path: "spec", "activeDeadlineSeconds"] = 5 })
        h.waitUntil("one pod") { h.pods("slow").count == 1 }
        let pod = h.pods("slow")[0].meta.name
        try h.bind(pod)
        try h.setPhase(pod, "Running")
        h.settle()
        h.timers.advance(by: .seconds(6))
        h.waitUntil("deadline target, the pod terminating") {
            h.job("slow").has("FailureTarget") && h.job("slow").status["terminating"] == 1
        }
        h.settle()
        XCTAssertFalse(h.job("slow").has("Failed"))
        XCTAssertEqual(h.job("slow").failed, 1, "a deleted pod counts as failed")
        h.removeTerminating()
        h.waitUntil("failed once it is gone") { h.job("slow").has("Failed") && h.job("slow").status["terminating"] == 0 }
    }

    func testAManualSelectorAdoptsMatchingOrphans() throws {
        let h = try JobHarness()
        let orphan: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "stray", "labels": ["app": "batch"]],
                            "spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox"]]]]
        try h.create("pods", orphan, group: "")
        // The controller's pod cache has the orphan before the Job appears (upstream's controllers
        // start once their caches have synced; here the pod and the Job come through two informers).
        h.settle()
        let job = try h.create("jobs", JobHarness.job("manual") {
            $0[path: "spec", "manualSelector"] = true
            $0[path: "spec", "selector"] = ["matchLabels": ["app": "batch"]]
            $0[path: "spec", "template", "metadata"] = ["labels": ["app": "batch"]]
        })
        h.waitUntil("stray adopted with the tracking finalizer") {
            let pod = h.get("pods", "stray", group: "")
            return pod?.meta.controllerRef?.uid == job.meta.uid && pod?.meta.finalizers == [JobController.trackingFinalizer]
        }
        h.settle()
        XCTAssertEqual(h.pods("manual").map(\.meta.name), ["stray"], "the adopted pod is the one pod needed")
        try h.setPhase("stray", "Succeeded")
        h.waitUntil("complete") { h.job("manual").has("Complete") && h.job("manual").succeeded == 1 }
    }
}
