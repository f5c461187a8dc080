import APIMachinery
@testable import Registry
import XCTest

/// Deployment and ReplicaSet defaults and validation, with upstream's field paths and messages.
final class DeploymentStrategyTests: XCTestCase {
    let strategy = DeploymentStrategy()
    static let nginx = json("""
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
     "spec":{"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}}}
    """)

    func testUpstreamDefaults() {
        let (o, errors) = create(strategy, Self.nginx)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "spec", "replicas"], 1)
        XCTAssertEqual(o[path: "spec", "strategy"], ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]])
        XCTAssertEqual(o[path: "spec", "revisionHistoryLimit"], 10)
        XCTAssertEqual(o[path: "spec", "progressDeadlineSeconds"], 600)
        XCTAssertEqual(o[path: "spec", "template", "spec", "restartPolicy"], "Always")
        XCTAssertEqual(o[path: "spec", "template", "metadata", "creationTimestamp"], .null)
        XCTAssertEqual(o["status"], [:])
    }

    func testRecreateGetsNoRollingUpdate() {
        let d = modified(Self.nginx) { $0.setValue(["type": "Recreate"], at: ["spec", "strategy"]) }
        let (o, errors) = create(strategy, d)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "spec", "strategy"], ["type": "Recreate"])
        let bad = modified(Self.nginx) { $0.setValue(["type": "Recreate", "rollingUpdate": ["maxSurge": 1]], at: ["spec", "strategy"]) }
        XCTAssertEqual(create(strategy, bad).errors, [
            "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
        ])
    }

    func testSurgeAndUnavailableNotBothZero() {
        let d = modified(Self.nginx) {
            $0.setValue(["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 0, "maxUnavailable": "0%"]], at: ["spec", "strategy"])
        }
        XCTAssertEqual(create(strategy, d).errors, [
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0%\": may not be 0 when `maxSurge` is 0",
        ])
    }

    func testPercentagesAreChecked() {
        let d = modified(Self.nginx) {
            $0.setValue(["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "x", "maxUnavailable": "150%"]], at: ["spec", "strategy"])
        }
        XCTAssertEqual(create(strategy, d).errors, [
            "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"x\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%",
        ])
    }

    func testSelectorRequiredAndMustMatchTemplate() {
        let noSelector = modified(Self.nginx) { $0.setValue(nil, at: ["spec", "selector"]) }
        XCTAssertEqual(create(strategy, noSelector).errors, ["spec.selector: Required value"])
        let mismatch = modified(Self.nginx) { $0.setValue("other", at: ["spec", "template", "metadata", "labels", "app"]) }
        XCTAssertEqual(create(strategy, mismatch).errors, [
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`",
        ])
    }

    func testProgressDeadlineMustExceedMinReadySeconds() {
        let d = modified(Self.nginx) {
            $0.setValue(10, at: ["spec", "minReadySeconds"])
            $0.setValue(10, at: ["spec", "progressDeadlineSeconds"])
        }
        XCTAssertEqual(create(strategy, d).errors, ["spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds"])
    }

    func testTemplateRestartPolicyMustBeAlways() {
        let d = modified(Self.nginx) { $0.setValue("Never", at: ["spec", "template", "spec", "restartPolicy"]) }
        XCTAssertEqual(create(strategy, d).errors, [
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
        ])
    }

    func testSelectorIsImmutable() {
        let old = create(strategy, Self.nginx).object
        let changed = modified(old) {
            $0.setValue(["matchLabels": ["app": "web", "tier": "x"]], at: ["spec", "selector"])
            $0.setValue("x", at: ["spec", "template", "metadata", "labels", "tier"])
        }
        XCTAssertEqual(update(strategy, changed, old: old).errors.count, 1)
        XCTAssertTrue(update(strategy, changed, old: old).errors[0].hasPrefix("spec.selector: Invalid value:"))
        XCTAssertTrue(update(strategy, changed, old: old).errors[0].hasSuffix("field is immutable"))
    }

    func testAnnotationChangeMovesGeneration() {
        var old = create(strategy, Self.nginx).object
        old.setValue(3, at: ["metadata", "generation"])
        let annotated = modified(old) { $0.setValue(["a": "b"], at: ["metadata", "annotations"]) }
        XCTAssertEqual(update(strategy, annotated, old: old).object[path: "metadata", "generation"], 4)
        XCTAssertEqual(update(strategy, old, old: old).object[path: "metadata", "generation"], 3)
    }

    func testReplicaSetDefaultsAndValidation() {
        let rsStrategy = ReplicaSetStrategy()
        var rs = Self.nginx
        rs["kind"] = "ReplicaSet"
        let (o, errors) = create(rsStrategy, rs)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "spec", "replicas"], 1)
        XCTAssertNil(o[path: "spec", "strategy"])
        XCTAssertEqual(o["status"], ["replicas": 0])
        let empty = modified(rs) { $0.setValue([:], at: ["spec", "selector"]) }
        XCTAssertEqual(create(rsStrategy, empty).errors, ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"])
        let negative = modified(rs) { $0.setValue(-1, at: ["spec", "replicas"]) }
        XCTAssertEqual(create(rsStrategy, negative).errors, ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"])
    }

    func testTables() {
        var d = create(strategy, Self.nginx).object
        d.setValue(["readyReplicas": 1, "updatedReplicas": 1, "availableReplicas": 1], at: ["status"])
        let cells = DeploymentTable.cells(d, now: Date())
        XCTAssertEqual(DeploymentTable.columns.map(\.name), ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"])
        XCTAssertEqual(Array(cells.prefix(4)), ["web", "1/1", 1, 1])
        XCTAssertEqual(Array(cells.suffix(3)), ["nginx", "nginx", "app=web"])
        XCTAssertEqual(ReplicaSetTable.columns.filter { $0.priority == 0 }.map(\.name), ["Name", "Desired", "Current", "Ready", "Age"])
    }
}
