import APIMachinery
@testable import Registry
import XCTest

/// CronJob defaults, schedule and time zone validation with upstream's messages, Table cells.
final class CronJobStrategyTests: XCTestCase {
    let strategy = CronJobStrategy()
    static let hello = json("""
    {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"hello"},
     "spec":{"schedule":"*/5 * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure",
       "containers":[{"name":"hello","image":"busybox"}]}}}}}}
    """)

    func testUpstreamDefaults() {
        let (o, errors) = create(strategy, Self.hello)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "spec", "concurrencyPolicy"], "Allow")
        XCTAssertEqual(o[path: "spec", "suspend"], false)
        XCTAssertEqual(o[path: "spec", "successfulJobsHistoryLimit"], 3)
        XCTAssertEqual(o[path: "spec", "failedJobsHistoryLimit"], 1)
        XCTAssertEqual(o[path: "spec", "jobTemplate", "metadata", "creationTimestamp"], .null)
        XCTAssertNil(o[path: "spec", "jobTemplate", "spec", "backoffLimit"])
        XCTAssertEqual(o[path: "spec", "jobTemplate", "spec", "template", "spec", "dnsPolicy"], "ClusterFirst")
        XCTAssertEqual(o["status"], [:])
    }

    func testScheduleErrorsAreRobfigs() {
        func errors(_ schedule: String) -> [String] {
            create(strategy, modified(Self.hello) { $0.setValue(.string(schedule), at: ["spec", "schedule"]) }).errors
        }
        XCTAssertEqual(errors("* * *"), ["spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]"])
        XCTAssertEqual(errors("61 * * * *"), ["spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"])
        XCTAssertEqual(errors("x * * * *"), ["spec.schedule: Invalid value: \"x * * * *\": failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"])
        XCTAssertEqual(errors("@fortnightly"), ["spec.schedule: Invalid value: \"@fortnightly\": unrecognized descriptor: @fortnightly"])
        XCTAssertEqual(errors("TZ=UTC 0 * * * *"), ["spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"])
        XCTAssertEqual(errors(""), ["spec.schedule: Required value"])
        for good in ["@hourly", "@daily", "@every 1h30m", "0 9 * JAN-MAR mon-fri", "0 0 1,15 * ?", "5/15 * * * *"] {
            XCTAssertEqual(errors(good), [], good)
        }
    }

    func testTimeZoneIsValidated() {
        func errors(_ zone: JSON) -> [String] {
            create(strategy, modified(Self.hello) { $0.setValue(zone, at: ["spec", "timeZone"]) }).errors
        }
        XCTAssertEqual(errors("Europe/Paris"), [])
        XCTAssertEqual(errors("Mars/Olympus"), ["spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus"])
        XCTAssertEqual(errors(""), ["spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string"])
        XCTAssertEqual(errors("Local"), ["spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"])
    }

    func testJobTemplateRulesAndPolicies() {
        let job = modified(Self.hello) {
            $0.setValue("Always", at: ["spec", "jobTemplate", "spec", "template", "spec", "restartPolicy"])
            $0.setValue(["matchLabels": ["a": "b"]], at: ["spec", "jobTemplate", "spec", "selector"])
            $0.setValue("Sometimes", at: ["spec", "concurrencyPolicy"])
            $0.setValue(-1, at: ["spec", "successfulJobsHistoryLimit"])
        }
        XCTAssertEqual(create(strategy, job).errors, [
            "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\"",
            "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
            "spec.jobTemplate.spec.selector: Invalid value: {\"matchLabels\":{\"a\":\"b\"}}: `selector` will be auto-generated",
            "spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
        ])
        let long = modified(Self.hello) { $0.setValue(.string(String(repeating: "a", count: 53)), at: ["metadata", "name"]) }
        XCTAssertEqual(create(strategy, long).errors.first?.hasSuffix("must be no more than 52 characters"), true)
    }

    func testTableCells() {
        var cj = create(strategy, Self.hello).object
        XCTAssertEqual(CronJobTable.columns.filter { $0.priority == 0 }.map(\.name),
                       ["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age"])
        XCTAssertEqual(Array(CronJobTable.cells(cj, now: Date()).prefix(6)), ["hello", "*/5 * * * *", "<none>", "False", 0, "<none>"])
        cj["status"] = ["active": [["name": "hello-1"]], "lastScheduleTime": .string(Timestamp.format(Date().addingTimeInterval(-65)))]
        cj[path: "spec", "timeZone"] = "Etc/UTC"
        XCTAssertEqual(Array(CronJobTable.cells(cj, now: Date()).prefix(6)), ["hello", "*/5 * * * *", "Etc/UTC", "False", 1, "65s"])
        XCTAssertEqual(CronJobTable.cells(cj, now: Date()).last, "<none>")
    }
}
