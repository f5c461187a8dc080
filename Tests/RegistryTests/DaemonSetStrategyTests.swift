import APIMachinery
import Foundation
@testable import Registry
import XCTest

/// DaemonSet defaults, template generation, validation with upstream's messages, Table cells.
final class DaemonSetStrategyTests: XCTestCase {
    let strategy = DaemonSetStrategy()
    static let agent = json("""
    {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent"},
     "spec":{"selector":{"matchLabels":{"app":"agent"}},
       "template":{"metadata":{"labels":{"app":"agent"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}
    """)

    func testDefaultsAndTemplateGeneration() {
        let (o, errors) = create(strategy, Self.agent)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "spec", "updateStrategy"], ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]])
        XCTAssertEqual(o[path: "spec", "revisionHistoryLimit"], 10)
        XCTAssertEqual(o[path: "metadata", "annotations", "deprecated.daemonset.template.generation"], "1")
        XCTAssertEqual(o["status"], ["currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0])
        let relabelled = update(strategy, modified(o) { $0[path: "metadata", "labels"] = ["x": "y"] }, old: o).object
        XCTAssertEqual(relabelled[path: "metadata", "annotations", "deprecated.daemonset.template.generation"], "1")
        let changed = update(strategy, modified(o) { $0[path: "spec", "template", "spec", "containers"] = [["name": "c", "image": "nginx:2"]] }, old: o)
        XCTAssertEqual(changed.errors, [])
        XCTAssertEqual(changed.object[path: "metadata", "annotations", "deprecated.daemonset.template.generation"], "2")
        XCTAssertEqual(Array(DaemonSetTable.cells(o, now: Date()).prefix(7)), ["agent", 0, 0, 0, 0, 0, "<none>"])
    }

    func testValidation() {
        let mismatch = create(strategy, modified(Self.agent) { $0[path: "spec", "selector"] = ["matchLabels": ["app": "x"]] }).errors
        XCTAssertEqual(mismatch, ["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"agent\"}: `selector` does not match template `labels`"])
        let restart = create(strategy, modified(Self.agent) { $0[path: "spec", "template", "spec", "restartPolicy"] = "Never" }).errors
        XCTAssertEqual(restart, ["spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""])
        let both = create(strategy, modified(Self.agent) {
            $0[path: "spec", "updateStrategy"] = ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": "10%"]]
        }).errors
        XCTAssertEqual(both, ["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: \"10%\": may not be set when maxUnavailable is non-zero"])
        let neither = create(strategy, modified(Self.agent) {
            $0[path: "spec", "updateStrategy"] = ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0, "maxSurge": 0]]
        }).errors
        XCTAssertEqual(neither, ["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"])
        let noSelector = create(strategy, modified(Self.agent) { $0[path: "spec", "selector"] = nil }).errors
        XCTAssertEqual(noSelector.first, "spec.selector: Required value")
        let o = create(strategy, Self.agent).object
        let moved = update(strategy, modified(o) {
            $0[path: "spec", "selector"] = ["matchLabels": ["app": "agent", "v": "2"]]
            $0[path: "spec", "template", "metadata", "labels"] = ["app": "agent", "v": "2"]
        }, old: o).errors
        XCTAssertEqual(moved.count, 1)
        XCTAssertTrue(moved[0].hasPrefix("spec.selector: Invalid value:") && moved[0].hasSuffix("field is immutable"), moved[0])
    }
}
