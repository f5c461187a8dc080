import APIMachinery
@testable import Registry
import XCTest

/// Job and CronJob defaults, generated selectors, validation with upstream's field paths and
/// messages, immutable fields and Table cells.
final class JobStrategyTests: XCTestCase {
    let strategy = JobStrategy()
    static let pi = json("""
    {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi","uid":"u-1"},
     "spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"busybox"}]}}}}
    """)

    func testUpstreamDefaultsAndGeneratedSelector() {
        let (o, errors) = create(strategy, Self.pi)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "spec", "completions"], 1)
        XCTAssertEqual(o[path: "spec", "parallelism"], 1)
        XCTAssertEqual(o[path: "spec", "backoffLimit"], 6)
        XCTAssertEqual(o[path: "spec", "completionMode"], "NonIndexed")
        XCTAssertEqual(o[path: "spec", "suspend"], false)
        XCTAssertEqual(o[path: "spec", "manualSelector"], false)
        XCTAssertEqual(o[path: "spec", "podReplacementPolicy"], "TerminatingOrFailed")
        XCTAssertEqual(o[path: "spec", "selector"], ["matchLabels": ["batch.kubernetes.io/controller-uid": "u-1"]])
        let labels: JSON = ["job-name": "pi", "batch.kubernetes.io/job-name": "pi", "controller-uid": "u-1",
                            "batch.kubernetes.io/controller-uid": "u-1"]
        XCTAssertEqual(o[path: "spec", "template", "metadata", "labels"], labels)
        XCTAssertEqual(o[path: "metadata", "labels"], labels)
        XCTAssertEqual(o["status"], [:])
    }

    func testParallelismAloneLeavesCompletionsUnset() {
        let job = modified(Self.pi) { $0.setValue(3, at: ["spec", "parallelism"]) }
        let (o, errors) = create(strategy, job)
        XCTAssertEqual(errors, [])
        XCTAssertNil(o[path: "spec", "completions"])
        XCTAssertEqual(JobTable.completions(o), "0/1 of 3")
    }

    func testRestartPolicyMustBeOnFailureOrNever() {
        let job = modified(Self.pi) { $0.setValue("Always", at: ["spec", "template", "spec", "restartPolicy"]) }
        XCTAssertEqual(create(strategy, job).errors, [
            "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
        ])
        let bogus = modified(Self.pi) { $0.setValue("Sometimes", at: ["spec", "template", "spec", "restartPolicy"]) }
        XCTAssertEqual(create(strategy, bogus).errors.last,
                       "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"OnFailure\", \"Never\"")
    }

    func testNegativeCountsAndIndexedWithoutCompletions() {
        let job = modified(Self.pi) {
            $0.setValue(-1, at: ["spec", "backoffLimit"])
            $0.setValue(3, at: ["spec", "parallelism"])
            $0.setValue("Indexed", at: ["spec", "completionMode"])
            $0.setValue(-5, at: ["spec", "activeDeadlineSeconds"])
        }
        XCTAssertEqual(create(strategy, job).errors, [
            "spec.activeDeadlineSeconds: Invalid value: -5: must be greater than or equal to 0",
            "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
            "spec.completions: Required value: when completion mode is Indexed",
        ])
        let badMode = modified(Self.pi) { $0.setValue("Sometimes", at: ["spec", "completionMode"]) }
        XCTAssertEqual(create(strategy, badMode).errors, [
            "spec.completionMode: Unsupported value: \"Sometimes\": supported values: \"Indexed\", \"NonIndexed\"",
        ])
    }

    func testManualSelectorMustMatchTemplate() {
        let job = modified(Self.pi) {
            $0.setValue(true, at: ["spec", "manualSelector"])
            $0.setValue(["matchLabels": ["app": "x"]], at: ["spec", "selector"])
        }
        XCTAssertEqual(create(strategy, job).errors, [
            "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`",
        ])
        let noSelector = modified(Self.pi) { $0.setValue(true, at: ["spec", "manualSelector"]) }
        XCTAssertEqual(create(strategy, noSelector).errors, ["spec.selector: Required value"])
    }

    func testWrongGeneratedLabelIsRefused() {
        let job = modified(Self.pi) { $0.setValue(["controller-uid": "other"], at: ["spec", "template", "metadata", "labels"]) }
        let errors = create(strategy, job).errors
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors[0].hasPrefix("spec.template.metadata.labels[controller-uid]: Invalid value: map[string]string{"), errors[0])
        XCTAssertTrue(errors[0].hasSuffix("must be 'u-1'"), errors[0])
    }

    func testTemplateSelectorAndCompletionsAreImmutable() {
        let old = create(strategy, Self.pi).object
        let changed = modified(old) {
            $0.setValue("busybox:2", at: ["spec", "template", "spec", "containers", "0", "image"])
            $0[path: "spec", "template", "spec", "containers"] = [["name": "pi", "image": "busybox:2",
                "imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File", "resources": [:]]]
            $0.setValue(2, at: ["spec", "completions"])
        }
        let errors = update(strategy, changed, old: old).errors
        XCTAssertEqual(errors.count, 2, "\(errors)")
        XCTAssertTrue(errors[0].hasPrefix("spec.completions: Invalid value: 2: field is immutable"), errors[0])
        XCTAssertTrue(errors[1].hasPrefix("spec.template: Invalid value:") && errors[1].hasSuffix("field is immutable"), errors[1])
        let parallel = modified(old) { $0.setValue(5, at: ["spec", "parallelism"]) }
        XCTAssertEqual(update(strategy, parallel, old: old).errors, [])
    }

    func testSuspendedJobThatNeverRanMayChangeSchedulingDirectives() {
        var old = create(strategy, modified(Self.pi) { $0.setValue(true, at: ["spec", "suspend"]) }).object
        old["status"] = [:]
        let changed = modified(old) { $0.setValue(["disk": "ssd"], at: ["spec", "template", "spec", "nodeSelector"]) }
        XCTAssertEqual(update(strategy, changed, old: old).errors, [])
    }

    func testStatusColumn() {
        var job = create(strategy, Self.pi).object
        XCTAssertEqual(JobTable.status(job), "Running")
        job["status"] = ["conditions": [["type": "Suspended", "status": "True"]]]
        XCTAssertEqual(JobTable.status(job), "Suspended")
        job["status"] = ["conditions": [["type": "FailureTarget", "status": "True"], ["type": "Failed", "status": "True"]]]
        XCTAssertEqual(JobTable.status(job), "Failed")
        job["status"] = ["succeeded": 1, "startTime": "2024-01-01T00:00:00Z", "completionTime": "2024-01-01T00:00:07Z",
                         "conditions": [["type": "SuccessCriteriaMet", "status": "True"], ["type": "Complete", "status": "True"]]]
        let cells = JobTable.cells(job, now: Date())
        XCTAssertEqual(JobTable.columns.map(\.name), ["Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"])
        XCTAssertEqual(Array(cells.prefix(4)), ["pi", "Complete", "1/1", "7s"])
        XCTAssertEqual(cells.last, "batch.kubernetes.io/controller-uid=u-1")
    }

    func testStatusSuccessfulFieldSelector() {
        var job = create(strategy, Self.pi).object
        job["status"] = ["succeeded": 2]
        XCTAssertEqual(strategy.selectableFields(job)["status.successful"], "2")
    }

    func testPodFailurePolicyValidation() {
        let job = modified(Self.pi) {
            $0.setValue(["rules": [
                ["action": "FailJob", "onExitCodes": ["containerName": "other", "operator": "In", "values": [0, 3, 2, 2]]],
                ["action": "Explode", "onPodConditions": [["type": "DisruptionTarget"]]],
                ["action": "Ignore"],
            ]], at: ["spec", "podFailurePolicy"])
        }
        XCTAssertEqual(create(strategy, job).errors, [
            "spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: \"other\": must be one of the container or initContainer names in the pod template",
            "spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator",
            "spec.podFailurePolicy.rules[0].onExitCodes.values[3]: Duplicate value: 2",
            "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{0, 3, 2, 2}: must be ordered",
            "spec.podFailurePolicy.rules[1].action: Unsupported value: \"Explode\": supported values: \"Count\", \"FailIndex\", \"FailJob\", \"Ignore\"",
            "spec.podFailurePolicy.rules[1].onPodConditions[0].status: Required value: valid values: [\"False\" \"True\" \"Unknown\"]",
            "spec.podFailurePolicy.rules[2]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required",
        ])
        let onFailure = modified(Self.pi) {
            $0.setValue(["rules": [["action": "Ignore", "onPodConditions": [["type": "DisruptionTarget", "status": "True"]]]]],
                        at: ["spec", "podFailurePolicy"])
            $0.setValue("OnFailure", at: ["spec", "template", "spec", "restartPolicy"])
        }
        let (o, errors) = create(strategy, onFailure)
        XCTAssertEqual(o[path: "spec", "podReplacementPolicy"], "Failed")
        XCTAssertEqual(errors, ["spec.template.spec.restartPolicy: Invalid value: \"OnFailure\": only \"Never\" is supported when podFailurePolicy is specified"])
    }

    func testElasticIndexedJobsChangeCompletionsWithParallelism() {
        let indexed = modified(Self.pi) {
            $0.setValue("Indexed", at: ["spec", "completionMode"])
            $0.setValue(3, at: ["spec", "completions"])
            $0.setValue(3, at: ["spec", "parallelism"])
        }
        let old = create(strategy, indexed).object
        let both = modified(old) { $0.setValue(5, at: ["spec", "completions"]); $0.setValue(5, at: ["spec", "parallelism"]) }
        XCTAssertEqual(update(strategy, both, old: old).errors, [])
        let alone = modified(old) { $0.setValue(5, at: ["spec", "completions"]) }
        XCTAssertEqual(update(strategy, alone, old: old).errors, ["spec.completions: Invalid value: 5: can only be modified in tandem with spec.parallelism"])
    }

    func testSuccessPolicyValidation() {
        let job = modified(Self.pi) {
            $0.setValue("Indexed", at: ["spec", "completionMode"])
            $0.setValue(3, at: ["spec", "completions"])
            $0.setValue(["rules": [["succeededIndexes": "0-1,1", "succeededCount": 1], [:], ["succeededIndexes": "2", "succeededCount": 2]]],
                        at: ["spec", "successPolicy"])
        }
        XCTAssertEqual(create(strategy, job).errors, [
            "spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"0-1,1\": error parsing succeededIndexes: non-increasing order, previous: 1, current: 1",
            // As upstream: an unparsable list names no indexes, so the count is also too large.
            "spec.successPolicy.rules[0].succeededCount: Invalid value: 1: must be less than or equal to 0 (the number of indexes in the specified succeededIndexes field)",
            "spec.successPolicy.rules[1]: Required value: at least one of succeededCount or succeededIndexes must be specified",
            "spec.successPolicy.rules[2].succeededCount: Invalid value: 2: must be less than or equal to 1 (the number of indexes in the specified succeededIndexes field)",
        ])
        let nonIndexed = modified(Self.pi) { $0.setValue(["rules": [["succeededCount": 1]]], at: ["spec", "successPolicy"]) }
        XCTAssertEqual(create(strategy, nonIndexed).errors.first?.hasSuffix("requires indexed completion mode"), true)
    }
}
