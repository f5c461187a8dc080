import XCTest
@testable import APIMachinery

final class StatefulSetViewTests: XCTestCase {
    func testDefaultsWhenFieldsAreAbsent() {
        let set = StatefulSetView(["metadata": ["name": "web"]])
        XCTAssertEqual(set.meta.name, "web")
        XCTAssertEqual(set.replicas, 1)
        XCTAssertEqual(set.startOrdinal, 0)
        XCTAssertEqual(set.endOrdinal, 0)
        XCTAssertEqual(set.updateStrategyType, "RollingUpdate")
        XCTAssertFalse(set.hasRollingUpdate)
        XCTAssertEqual(set.revisionHistoryLimit, 10)
        XCTAssertEqual(set.whenDeleted, .retain)
        XCTAssertEqual(set.whenScaled, .retain)
        XCTAssertEqual(set.template, [:])
        XCTAssertFalse(set.allowsBurst)
    }

    func testReadsSpecAndStatus() {
        var set = StatefulSetView([
            "spec": ["replicas": 3, "ordinals": ["start": 2], "serviceName": "svc", "podManagementPolicy": "Parallel",
                     "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": 1, "maxUnavailable": "50%"]],
                     "selector": ["matchLabels": ["app": "web"]], "volumeClaimTemplates": [["metadata": ["name": "data"]]],
                     "persistentVolumeClaimRetentionPolicy": ["whenDeleted": "Delete"],
                     "template": ["metadata": ["labels": ["app": "web"]]]],
            "status": ["collisionCount": 2, "currentRevision": "web-1", "currentReplicas": 3],
        ])
        XCTAssertEqual(set.endOrdinal, 4)
        XCTAssertEqual(set.serviceName, "svc")
        XCTAssertTrue(set.allowsBurst)
        XCTAssertTrue(set.hasRollingUpdate)
        XCTAssertEqual(set.partition, 1)
        XCTAssertEqual(set.maxUnavailable, "50%")
        XCTAssertEqual(set.selectorMatchLabels, ["app": "web"])
        XCTAssertEqual(set.templateLabels, ["app": "web"])
        XCTAssertEqual(set.claimTemplates.map(\.meta.name), ["data"])
        XCTAssertEqual(set.whenDeleted, .delete)
        XCTAssertEqual(set.collisionCount, 2)
        XCTAssertEqual(set.currentRevision, "web-1")
        XCTAssertEqual(set.currentReplicas, 3)
        set.template = ["spec": [:]]
        XCTAssertEqual(set.object[path: "spec", "template"], ["spec": [:]])
    }
}
