import APIMachinery
import APIServer
import ControllerRuntime
import Foundation
import XCTest

/// Jobs and CronJobs through the API server: defaults and the generated selector, 422 causes,
/// immutable fields, Table columns, the status field selector; and the testing clock endpoint.
final class JobAPITests: XCTestCase {
    static let jobs = "/apis/batch/v1/namespaces/default/jobs"
    static let cronJobs = "/apis/batch/v1/namespaces/default/cronjobs"
    static let job: JSON = [
        "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "pi"],
        "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox"]]]]],
    ]

    func testCreateGeneratesTheSelector() throws {
        let api = try InProcessAPI()
        let created = api.call("POST", Self.jobs, body: Self.job)
        XCTAssertEqual(created.status, 201, created.text)
        let uid = created.json[path: "metadata", "uid"]?.stringValue ?? ""
        XCTAssertEqual(created.json[path: "spec", "selector"], ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]])
        XCTAssertEqual(created.json[path: "metadata", "labels", "job-name"], "pi")
        XCTAssertEqual(created.json[path: "metadata", "generation"], 1)
        XCTAssertEqual(created.json["status"], [:])
    }

    func testInvalidJobIs422WithCauses() throws {
        let api = try InProcessAPI()
        var bad = Self.job
        bad[path: "spec", "template", "spec", "restartPolicy"] = "Always"
        bad[path: "spec", "parallelism"] = -1
        let response = api.call("POST", Self.jobs, body: bad)
        XCTAssertEqual(response.status, 422)
        XCTAssertEqual(response.json[path: "details", "group"], "batch")
        XCTAssertEqual(response.json[path: "details", "kind"], "Job")
        let causes = response.json[path: "details", "causes"]?.arrayValue ?? []
        XCTAssertEqual(causes.compactMap { $0["field"]?.stringValue }, ["spec.parallelism", "spec.template.spec.restartPolicy"])
        XCTAssertEqual(response.json["message"]?.stringValue?.hasPrefix("Job.batch \"pi\" is invalid: [spec.parallelism: Invalid value: -1"), true,
                       response.text)
    }

    func testTemplateIsImmutableAndStatusSelectable() throws {
        let api = try InProcessAPI()
        var object = api.call("POST", Self.jobs, body: Self.job).json
        object[path: "spec", "template", "spec", "containers"] = [["name": "c", "image": "busybox:2"]]
        let response = api.call("PUT", Self.jobs + "/pi", body: object)
        XCTAssertEqual(response.status, 422)
        XCTAssertEqual(response.json[path: "details", "causes"]?.arrayValue?.first?["field"], "spec.template")
        let none = api.call("GET", Self.jobs + "?fieldSelector=status.successful=1")
        XCTAssertEqual(none.json["items"]?.arrayValue?.count, 0)
        let zero = api.call("GET", Self.jobs + "?fieldSelector=status.successful=0")
        XCTAssertEqual(zero.json["items"]?.arrayValue?.count, 1)
    }

    func testStatusSubresourceIsValidated() throws {
        let api = try InProcessAPI()
        var job = api.call("POST", Self.jobs, body: Self.job).json
        job["status"] = ["active": -1, "uncountedTerminatedPods": ["succeeded": ["a"], "failed": ["a"]]]
        let response = api.call("PUT", Self.jobs + "/pi/status", body: job)
        XCTAssertEqual(response.status, 422, response.text)
        XCTAssertEqual(response.json[path: "details", "causes"]?.arrayValue?.compactMap { $0["field"]?.stringValue },
                       ["status.active", "status.uncountedTerminatedPods.failed[0]"])
        job["status"] = ["active": 1, "startTime": "2024-01-01T00:00:00Z"]
        let good = api.call("PUT", Self.jobs + "/pi/status", body: job)
        XCTAssertEqual(good.status, 200, good.text)
        XCTAssertEqual(good.json[path: "status", "active"], 1)
        XCTAssertEqual(good.json[path: "metadata", "generation"], 1)
    }

    func testTables() throws {
        let api = try InProcessAPI()
        api.call("POST", Self.jobs, body: Self.job)
        let accept = "application/json;as=Table;v=v1;g=meta.k8s.io"
        let jobs = api.call("GET", Self.jobs, accept: accept).json
        XCTAssertEqual(jobs["columnDefinitions"]?.arrayValue?.map { $0["name"]?.stringValue ?? "" },
                       ["Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"])
        XCTAssertEqual(jobs["rows"]?.arrayValue?.first?["cells"]?.arrayValue?.prefix(3).map { $0 }, ["pi", "Running", "0/1"])
        let cron: JSON = ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": "c"],
                          "spec": ["schedule": "@daily", "jobTemplate": Self.job["spec"].map { ["spec": $0] } ?? [:]]]
        XCTAssertEqual(api.call("POST", Self.cronJobs, body: cron).status, 201)
        let table = api.call("GET", Self.cronJobs, accept: accept).json
        XCTAssertEqual(table["rows"]?.arrayValue?.first?["cells"]?.arrayValue?.prefix(5).map { $0 }, ["c", "@daily", "<none>", "False", 0])
    }

    func testDeleteWithoutPolicyOrphansWithAWarning() throws {
        let api = try InProcessAPI()
        api.call("POST", Self.jobs, body: Self.job)
        let deleted = api.call("DELETE", Self.jobs + "/pi")
        XCTAssertEqual(deleted.status, 200, deleted.text)
        XCTAssertEqual(deleted.header("Warning")?.hasPrefix("299 - \"child pods are preserved by default when jobs are deleted;"), true)
        // Marked with the orphan finalizer, which the garbage collector clears.
        XCTAssertEqual(api.call("GET", Self.jobs + "/pi").json[path: "metadata", "finalizers"], ["orphan"])
        api.call("POST", Self.jobs, body: modifiedName(Self.job, "bg"))
        let background = api.call("DELETE", Self.jobs + "/bg?propagationPolicy=Background")
        XCTAssertNil(background.header("Warning"))
        XCTAssertEqual(api.call("GET", Self.jobs + "/bg").status, 404)
    }

    func modifiedName(_ object: JSON, _ name: String) -> JSON {
        var o = object
        o[path: "metadata", "name"] = .string(name)
        return o
    }

    func testTestingClockEndpointMovesTheClockForwardOnly() throws {
        let clock = AdjustableTimers()
        let api = try InProcessAPI(testingClock: clock)
        let before = api.call("GET", TestingClockEndpoint.path)
        XCTAssertEqual(before.status, 200)
        XCTAssertEqual(before.json["offsetSeconds"]?.intValue, 0)
        let moved = api.call("POST", TestingClockEndpoint.path, body: ["advanceSeconds": 90])
        XCTAssertEqual(moved.status, 200, moved.text)
        XCTAssertEqual(moved.json["offsetSeconds"]?.intValue, 90)
        XCTAssertEqual(clock.offset, 90)
        let backwards = api.call("POST", TestingClockEndpoint.path, body: ["advanceSeconds": -5])
        XCTAssertEqual(backwards.status, 400)
        XCTAssertEqual(api.call("DELETE", TestingClockEndpoint.path).status, 405)
        XCTAssertEqual(try InProcessAPI().call("GET", TestingClockEndpoint.path).status, 404)
    }
}

/// As `kubelite serve --testing-clock` wires it (the executable declares the same conformance).
extension AdjustableTimers: TestingClock {}
