@testable import APIMachinery
import Foundation
import XCTest

/// JobView and CronJobView: absent fields read as defaulting leaves them.
final class JobViewTests: XCTestCase {
    func testAbsentJobFieldsReadAsDefaults() {
        let job = JobView(["metadata": ["name": "j"], "spec": [:]])
        XCTAssertEqual(job.parallelism, 1)
        XCTAssertNil(job.completions)
        XCTAssertEqual(job.backoffLimit, 6)
        XCTAssertFalse(job.isIndexed)
        XCTAssertFalse(job.isSuspended)
        XCTAssertFalse(job.replacesOnlyFailedPods)
        XCTAssertFalse(job.isFinished)
        XCTAssertNil(job.startTime)
    }

    func testConditionsAndFinishTime() {
        let job = JobView(["status": ["conditions": [
            ["type": "SuccessCriteriaMet", "status": "True", "lastTransitionTime": "2024-01-01T00:00:00Z"],
            ["type": "Complete", "status": "True", "lastTransitionTime": "2024-01-01T00:00:05Z", "reason": "CompletionsReached"],
        ]]])
        XCTAssertTrue(job.isFinished)
        XCTAssertEqual(job.condition("Complete")?.reason, "CompletionsReached")
        XCTAssertEqual(job.finishTime, Timestamp.parse("2024-01-01T00:00:05Z"))
        XCTAssertFalse(job.has("Failed"))
    }

    func testCronJobDefaultsAndActive() {
        let cronJob = CronJobView(["metadata": ["name": "c", "creationTimestamp": "2024-01-01T00:00:00Z"],
                                   "spec": ["schedule": "@hourly"],
                                   "status": ["active": [["name": "c-1", "uid": "u1"]]]])
        XCTAssertEqual(cronJob.concurrencyPolicy, "Allow")
        XCTAssertFalse(cronJob.isSuspended)
        XCTAssertNil(cronJob.successfulJobsHistoryLimit)
        XCTAssertEqual(cronJob.activeUIDs, ["u1"])
        XCTAssertEqual(cronJob.creationTime, Timestamp.parse("2024-01-01T00:00:00Z"))
    }
}
