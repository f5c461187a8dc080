import XCTest
@testable import APIMachinery

final class ObjectMetaViewTests: XCTestCase {
    let pod: JSON = [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": [
            "name": "web-0", "namespace": "default", "uid": "u1", "resourceVersion": "7", "generation": 2,
            "generateName": "web-", "creationTimestamp": "2024-01-01T00:00:00Z",
            "deletionTimestamp": "2024-01-02T00:00:00Z", "deletionGracePeriodSeconds": 30,
            "labels": ["app": "web", "bad": 1], "annotations": ["a": "b"], "finalizers": ["f1", "f2"],
            "ownerReferences": [
                ["apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": "s1", "controller": true, "blockOwnerDeletion": true],
                ["apiVersion": "v1", "kind": "ConfigMap", "name": "c", "uid": "c1"],
            ],
        ],
    ]

    func testReadsEveryMetadataField() {
        let meta = pod.meta
        XCTAssertEqual(meta.name, "web-0")
        XCTAssertEqual(meta.namespace, "default")
        XCTAssertEqual(meta.key, "default/web-0")
        XCTAssertEqual(meta.uid, "u1")
        XCTAssertEqual(meta.resourceVersion, "7")
        XCTAssertEqual(meta.generation, 2)
        XCTAssertEqual(meta.generateName, "web-")
        XCTAssertEqual(meta.creationTimestamp, "2024-01-01T00:00:00Z")
        XCTAssertEqual(meta.deletionTimestamp, "2024-01-02T00:00:00Z")
        XCTAssertEqual(meta.deletionGracePeriodSeconds, 30)
        XCTAssertTrue(meta.isBeingDeleted)
        XCTAssertEqual(meta.labels, ["app": "web"], "non-string values are skipped as Go's decoder rejects them")
        XCTAssertEqual(meta.label("app"), "web")
        XCTAssertEqual(meta.annotation("a"), "b")
        XCTAssertEqual(meta.finalizers, ["f1", "f2"])
        XCTAssertEqual(meta.ownerReferences.map(\.uid), ["s1", "c1"])
        XCTAssertEqual(pod.typeMeta.kind, "Pod")
        XCTAssertEqual(pod.typeMeta.apiVersion, "v1")
        XCTAssertEqual(TypeMetaView(["apiVersion": "apps/v1"]).group, "apps")
    }

    func testAbsentAndNullFieldsReadAsZeroValues() {
        let meta = JSON.object(["metadata": ["deletionTimestamp": nil, "name": nil]]).meta
        XCTAssertEqual(meta.name, "")
        XCTAssertFalse(meta.isBeingDeleted)
        XCTAssertEqual(meta.generation, 0)
        XCTAssertNil(meta.controllerRef)
        XCTAssertEqual(JSON.object([:]).meta.key, "")
        XCTAssertEqual(JSON.object(["metadata": ["name": "node-1"]]).meta.key, "node-1", "cluster-scoped keys are the name alone")
    }

    func testOwnerReferences() {
        let controller = pod.meta.controllerRef
        XCTAssertEqual(controller?.kind, "StatefulSet")
        XCTAssertEqual(controller?.apiVersion, "apps/v1")
        XCTAssertEqual(controller?.name, "web")
        XCTAssertEqual(controller?.blockOwnerDeletion, true)
        let plain = pod.meta.ownerReferences[1]
        XCTAssertFalse(plain.controller)
        XCTAssertFalse(plain.blockOwnerDeletion)
        let built = OwnerReferenceView(apiVersion: "v1", kind: "Pod", name: "p", uid: "u", controller: true, blockOwnerDeletion: true)
        XCTAssertEqual(built.object, ["apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u", "controller": true, "blockOwnerDeletion": true])
        XCTAssertEqual(OwnerReferenceView(apiVersion: "v1", kind: "Pod", name: "p", uid: "u").object.objectValue?.count, 4)
    }

    func testSettersWriteBackIntoTheObject() {
        var object = pod
        object.meta.name = "web-1"
        object.meta.setLabel("tier", "front")
        object.meta.setAnnotation("a", nil)
        object.meta.finalizers = object.meta.finalizers.filter { $0 != "f1" }
        object.meta.ownerReferences = object.meta.ownerReferences.filter { !$0.controller }
        object.meta.removeResourceVersion()
        object.meta.creationTimestamp = nil
        XCTAssertEqual(object[path: "metadata", "name"], "web-1")
        XCTAssertEqual(object[path: "metadata", "labels", "tier"], "front")
        XCTAssertEqual(object[path: "metadata", "annotations"], [:])
        XCTAssertEqual(object[path: "metadata", "finalizers"], ["f2"])
        XCTAssertEqual(object.meta.ownerReferences.map(\.uid), ["c1"])
        XCTAssertNil(object[path: "metadata", "resourceVersion"])
        XCTAssertNil(object[path: "metadata", "creationTimestamp"])
        object.meta.finalizers = []
        object.meta.ownerReferences = []
        XCTAssertNil(object[path: "metadata", "finalizers"], "an emptied list is omitted, as Go's omitempty does")
        XCTAssertNil(object[path: "metadata", "ownerReferences"])
    }

    func testLabelsAreWrittenInGoMapOrder() {
        var object: JSON = ["metadata": ["name": "x"]]
        object.meta.labels = ["b": "2", "B": "3", "a": "1"]
        XCTAssertEqual(object[path: "metadata", "labels"]?.objectValue.map { Array($0.keys) }, ["B", "a", "b"])
        object.meta.annotations = [:]
        XCTAssertNil(object[path: "metadata", "annotations"])
    }

    func testCopyCarriesMembersAndRemovesAbsentOnes() {
        var meta = ObjectMetaView(["name": "new", "uid": "stale"])
        meta.copy(["uid", "resourceVersion", "finalizers"], from: ObjectMetaView(["uid": "u9", "finalizers": ["x"]]))
        XCTAssertEqual(meta.object, ["name": "new", "uid": "u9", "finalizers": ["x"]])
    }
}
