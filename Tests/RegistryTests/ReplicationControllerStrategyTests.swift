import APIMachinery
import Foundation
@testable import Registry
import XCTest

/// ReplicationController defaults (selector and labels from the template, replicas 1), validation
/// with upstream's messages, and Table cells.
final class ReplicationControllerStrategyTests: XCTestCase {
    let strategy = ReplicationControllerStrategy()
    static let rc = json("""
    {"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"web"},
     "spec":{"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}
    """)

    func testDefaults() {
        let (o, errors) = create(strategy, Self.rc)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "spec", "selector"], ["app": "web"])
        XCTAssertEqual(o[path: "metadata", "labels"], ["app": "web"])
        XCTAssertEqual(o[path: "spec", "replicas"], 1)
        XCTAssertEqual(o[path: "spec", "template", "spec", "restartPolicy"], "Always")
        XCTAssertEqual(o["status"], ["replicas": 0])
        let cells = ReplicationControllerTable.cells(o, now: Date())
        XCTAssertEqual(Array(cells.prefix(4)), ["web", 1, 0, 0])
        XCTAssertEqual(cells.last, "app=web")
    }

    func testValidation() {
        let mismatched = create(strategy, modified(Self.rc) { $0.setValue(["app": "other"], at: ["spec", "selector"]) }).errors
        XCTAssertEqual(mismatched, ["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"])
        let noLabels = create(strategy, modified(Self.rc) { $0.setValue(nil, at: ["spec", "template", "metadata"]) }).errors
        XCTAssertEqual(noLabels, ["spec.selector: Required value"])
        let deadline = create(strategy, modified(Self.rc) {
            $0.setValue(5, at: ["spec", "template", "spec", "activeDeadlineSeconds"])
            $0.setValue(-1, at: ["spec", "replicas"])
        }).errors
        XCTAssertEqual(deadline, ["spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                                  "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicationController is not Supported"])
        let o = create(strategy, Self.rc).object
        // As through `replicationcontrollers/status`: the main resource keeps the stored status.
        let bad = modified(o) { $0["status"] = ["replicas": 1, "readyReplicas": 2, "availableReplicas": -1] }
        let status = update(strategy, bad, old: bad).errors
        XCTAssertEqual(status, ["status.availableReplicas: Invalid value: -1: must be greater than or equal to 0",
                                "status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas"])
    }
}
