import XCTest
@testable import APIMachinery

/// The Deployment and ReplicaSet views read absent fields as defaulting leaves them.
final class DeploymentViewTests: XCTestCase {
    func testDeploymentDefaultsAndFields() {
        let empty = DeploymentView(["metadata": ["name": "web"]])
        XCTAssertEqual(empty.replicas, 1)
        XCTAssertEqual(empty.strategyType, "RollingUpdate")
        XCTAssertFalse(empty.paused)
        XCTAssertNil(empty.revisionHistoryLimit)
        XCTAssertTrue(empty.selector.matchesNothing)

        let d = DeploymentView([
            "spec": ["replicas": 4, "paused": true, "minReadySeconds": 5, "revisionHistoryLimit": 2, "progressDeadlineSeconds": 60,
                     "selector": ["matchLabels": ["app": "web"]],
                     "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": "10%"]]],
            "status": ["observedGeneration": 3, "collisionCount": 1,
                       "conditions": [["type": "Available", "status": "True"]]],
        ])
        XCTAssertEqual(d.replicas, 4)
        XCTAssertTrue(d.paused)
        XCTAssertEqual(d.minReadySeconds, 5)
        XCTAssertEqual(d.revisionHistoryLimit, 2)
        XCTAssertEqual(d.progressDeadlineSeconds, 60)
        XCTAssertEqual(d.maxSurge, 1)
        XCTAssertEqual(d.maxUnavailable, "10%")
        XCTAssertTrue(d.selector.matches(["app": "web"]))
        XCTAssertEqual(d.observedGeneration, 3)
        XCTAssertEqual(d.collisionCount, 1)
        XCTAssertEqual(d.condition("Available")?["status"], "True")
        XCTAssertNil(d.condition("Progressing"))
    }

    func testReplicaSetDefaultsAndStatus() {
        let empty = ReplicaSetView([:])
        XCTAssertEqual(empty.replicas, 1)
        XCTAssertEqual(empty.statusReplicas, 0)
        let set = ReplicaSetView([
            "spec": ["replicas": 0, "template": ["metadata": ["labels": ["app": "web", "pod-template-hash": "abc"]]]],
            "status": ["replicas": 2, "readyReplicas": 1, "availableReplicas": 1, "fullyLabeledReplicas": 2, "observedGeneration": 7],
        ])
        XCTAssertEqual(set.replicas, 0)
        XCTAssertEqual(set.templateLabels, ["app": "web", "pod-template-hash": "abc"])
        XCTAssertEqual(set.statusReplicas, 2)
        XCTAssertEqual(set.readyReplicas, 1)
        XCTAssertEqual(set.availableReplicas, 1)
        XCTAssertEqual(set.fullyLabeledReplicas, 2)
        XCTAssertEqual(set.observedGeneration, 7)
    }
}
