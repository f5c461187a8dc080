import XCTest
import APIMachinery

/// Spec comparison as upstream's Semantic.DeepEqual sees decoded objects.
final class SemanticEqualityTests: XCTestCase {
    func testNullAbsentAndEmptyCollectionsAreEqual() {
        let stored: JSON = ["template": ["metadata": ["creationTimestamp": .null, "labels": ["app": "web"]], "spec": ["volumes": []]]]
        let fromPythonClient: JSON = ["template": ["metadata": ["labels": ["app": "web"]], "spec": [:]]]
        XCTAssertTrue(SemanticEquality.equal(stored, fromPythonClient))
        XCTAssertTrue(SemanticEquality.equal(fromPythonClient, stored))
        XCTAssertTrue(SemanticEquality.equal(nil, .null))
        XCTAssertTrue(SemanticEquality.equal(["a": [:]], [:]))
        XCTAssertTrue(SemanticEquality.equal(["m": ["k": .null]], ["m": .null]))
    }

    func testMemberOrderAndNumberFormDoNotMatter() {
        XCTAssertTrue(SemanticEquality.equal(["replicas": 2, "serviceName": "web"], ["serviceName": "web", "replicas": .double(2)]))
    }

    func testRealChangesAreChanges() {
        XCTAssertFalse(SemanticEquality.equal(["replicas": 2], ["replicas": 3]))
        XCTAssertFalse(SemanticEquality.equal(["image": "redis:7"], ["image": "redis:8"]))
        XCTAssertFalse(SemanticEquality.equal(["labels": ["app": "web"]], ["labels": [:]]))
        XCTAssertFalse(SemanticEquality.equal(["ports": [1, 2]], ["ports": [2, 1]]))
        XCTAssertFalse(SemanticEquality.equal(["ports": [1]], ["ports": [1, 2]]))
        XCTAssertFalse(SemanticEquality.equal(["extra": "x"], [:]))
        XCTAssertFalse(SemanticEquality.equal([:], ["extra": "x"]))
        // Zero scalars may be pointers upstream, where zero and absent differ.
        XCTAssertFalse(SemanticEquality.equal(["paused": false], [:]))
        XCTAssertFalse(SemanticEquality.equal(["n": 1], ["n": .double(1.5)]))
    }
}
