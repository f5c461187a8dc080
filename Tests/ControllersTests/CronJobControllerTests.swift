import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import XCTest

/// The CronJob controller on a manual clock: Jobs named after their scheduled minute, status,
/// concurrency policies, suspension, missed schedules, history limits and time zones.
final class CronJobControllerTests: XCTestCase {
    /// ManualTimers start at 2023-11-14T22:13:20Z.
    static func cronJob(_ name: String, schedule: String = "*/5 * * * *", extra: (inout JSON) -> Void = { _ in }) -> JSON {
        var cj: JSON = [
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": .string(name)],
            "spec": ["schedule": .string(schedule), "jobTemplate": [
                "metadata": ["labels": ["team": "a"]],
                "spec": ["template": ["spec": ["restartPolicy": "Never",
                                               "containers": [["name": "c", "image": "busybox"]]]]]]],
        ]
        extra(&cj)
        return cj
    }

    func jobs(_ h: JobHarness) -> [JSON] {
        h.store("batch", "jobs").list(namespace: "default").items.map(\.object).filter { !$0.meta.isBeingDeleted }
            .sorted { $0.meta.name < $1.meta.name }
    }

    func testRunsAJobAtEachScheduledTime() throws {
        let h = try JobHarness()
        let cj = try h.create("cronjobs", Self.cronJob("tick"))
        h.settle()
        XCTAssertTrue(jobs(h).isEmpty)
        h.timers.advance(by: .seconds(101))  // just past 22:15:00
        h.waitUntil("a job") { jobs(h).count == 1 }
        let job = jobs(h)[0]
        let scheduled = Date(timeIntervalSince1970: 1_700_000_100)
        XCTAssertEqual(job.meta.name, "tick-\(1_700_000_100 / 60)")
        XCTAssertEqual(job.meta.annotation(CronJobController.scheduledTimestampAnnotation), "2023-11-14T22:15:00Z")
        XCTAssertEqual(job.meta.labels["team"], "a")
        XCTAssertEqual(job.meta.controllerRef?.uid, cj.meta.uid)
        h.waitUntil("status") {
            let view = CronJobView(h.get("cronjobs", "tick") ?? .null)
            return view.activeUIDs == [job.meta.uid] && view.lastScheduleTime == scheduled
        }
        h.settle()
        XCTAssertTrue(h.events("tick").contains("SuccessfulCreate: Created job \(job.meta.name)"))
        // The Job completes: it leaves status.active and sets lastSuccessfulTime.
        let pod = try XCTUnwrap(h.pods(job.meta.name).first)
        try h.setPhase(pod.meta.name, "Succeeded")
        h.waitUntil("no longer active, last success recorded") {
            let view = CronJobView(h.get("cronjobs", "tick") ?? .null)
            return view.active.isEmpty && view.lastSuccessfulTime != nil
        }
        h.timers.advance(by: .seconds(300))
        h.waitUntil("a second job") { jobs(h).count == 2 }
        XCTAssertEqual(jobs(h)[1].meta.name, "tick-\(1_700_000_400 / 60)")
    }

    func testForbidSkipsWhileAJobRuns() throws {
        let h = try JobHarness()
        try h.create("cronjobs", Self.cronJob("f", schedule: "* * * * *") { $0[path: "spec", "concurrencyPolicy"] = "Forbid" })
        h.timers.advance(by: .seconds(41))
        h.waitUntil("a job") { jobs(h).count == 1 }
        h.settle()
        h.timers.advance(by: .seconds(60))
        h.settle()
        XCTAssertEqual(jobs(h).count, 1)
        XCTAssertTrue(h.events("f").contains("JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid"))
    }

    func testReplaceDeletesTheRunningJob() throws {
        let h = try JobHarness()
        try h.create("cronjobs", Self.cronJob("r", schedule: "* * * * *") { $0[path: "spec", "concurrencyPolicy"] = "Replace" })
        h.timers.advance(by: .seconds(41))
        h.waitUntil("a job") { jobs(h).count == 1 }
        let first = jobs(h)[0].meta.name
        h.settle()
        h.timers.advance(by: .seconds(60))
        h.waitUntil("replaced") { jobs(h).count == 1 && jobs(h)[0].meta.name != first }
        h.settle()
        XCTAssertTrue(h.events("r").contains("SuccessfulDelete: Deleted job \(first)"))
        XCTAssertEqual(CronJobView(h.get("cronjobs", "r") ?? .null).active.count, 1)
    }

    func testAllowRunsConcurrently() throws {
        let h = try JobHarness()
        try h.create("cronjobs", Self.cronJob("a", schedule: "* * * * *"))
        h.timers.advance(by: .seconds(41))
        h.waitUntil("a job") { jobs(h).count == 1 }
        h.settle()
        h.timers.advance(by: .seconds(60))
        h.waitUntil("two jobs") { jobs(h).count == 2 }
        h.waitUntil("both active") { CronJobView(h.get("cronjobs", "a") ?? .null).active.count == 2 }
    }

    func testSuspendedCronJobRunsNothing() throws {
        let h = try JobHarness()
        try h.create("cronjobs", Self.cronJob("s", schedule: "* * * * *") { $0[path: "spec", "suspend"] = true })
        h.timers.advance(by: .seconds(200))
        h.settle()
        XCTAssertTrue(jobs(h).isEmpty)
        try h.modify("cronjobs", "s") { $0[path: "spec", "suspend"] = false }
        // Resumed: the most recent missed time runs.
        h.waitUntil("a job") { jobs(h).count == 1 }
    }

    func testTooManyMissedStartsWarnsAndRunsTheLatest() throws {
        let h = try JobHarness()
        try h.create("cronjobs", Self.cronJob("m", schedule: "* * * * *") { $0[path: "spec", "suspend"] = true })
        h.timers.advance(by: .seconds(200 * 60))
        h.settle()
        try h.modify("cronjobs", "m") { $0[path: "spec", "suspend"] = false }
        h.waitUntil("one job") { jobs(h).count == 1 }
        let now = h.timers.now().timeIntervalSince1970
        XCTAssertEqual(jobs(h)[0].meta.name, "m-\(Int64(now) / 60)")
        h.settle()
        XCTAssertTrue(h.events("m").contains(
            "TooManyMissedTimes: too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"))
    }

    func testStartingDeadlineSkipsOldMissedStarts() throws {
        let h = try JobHarness()
        try h.create("cronjobs", Self.cronJob("d", schedule: "0 * * * *") {
            $0[path: "spec", "startingDeadlineSeconds"] = 60
            $0[path: "spec", "suspend"] = true
        })
        h.timers.advance(by: .seconds(3600))  // 23:13:20: 23:00 was missed by more than a minute
        h.settle()
        try h.modify("cronjobs", "d") { $0[path: "spec", "suspend"] = false }
        h.settle()
        XCTAssertTrue(jobs(h).isEmpty)
        h.timers.advance(by: .seconds(47 * 60))  // past 00:00
        h.waitUntil("the next hour runs") { jobs(h).count == 1 }
    }

    func testHistoryLimitsRemoveOldFinishedJobs() throws {
        let h = try JobHarness()
        try h.create("cronjobs", Self.cronJob("hist", schedule: "* * * * *") { $0[path: "spec", "successfulJobsHistoryLimit"] = 1 })
        h.timers.advance(by: .seconds(41))
        for round in 1...3 {
            h.waitUntil("job \(round)") { jobs(h).count >= min(round, 2) && jobs(h).contains { JobView($0).active == 1 } }
            for job in jobs(h) where !JobView(job).isFinished {
                for pod in h.pods(job.meta.name) where PodView(pod).phase == "Pending" { try h.setPhase(pod.meta.name, "Succeeded") }
                h.waitUntil("complete") { h.job(job.meta.name).has("Complete") }
            }
            h.settle()
            h.timers.advance(by: .seconds(60))
        }
        h.waitUntil("one successful job kept") { jobs(h).filter { JobView($0).isFinished }.count == 1 }
    }

    func testTimeZone() throws {
        let h = try JobHarness()
        try h.create("cronjobs", Self.cronJob("tz", schedule: "0 9 * * *") { $0[path: "spec", "timeZone"] = "Asia/Tokyo" })
        h.settle()  // the controller has seen the CronJob and armed its timer before the clock moves
        // 09:00 in Tokyo is 00:00 UTC, 1 h 46 min 40 s after the clock's start.
        h.timers.advance(by: .seconds(6400 - 1))
        h.settle()
        XCTAssertTrue(jobs(h).isEmpty)
        h.timers.advance(by: .seconds(2))
        h.waitUntil("a job") { jobs(h).count == 1 }
        let job = try XCTUnwrap(jobs(h).first)
        XCTAssertEqual(job.meta.annotation(CronJobController.scheduledTimestampAnnotation), "2023-11-15T09:00:00+09:00")
    }
}
