import XCTest
@testable import APIMachinery

final class ValidationObjectMetaTests: XCTestCase {
    private func validate(_ meta: JSON?, namespaced: Bool = true, kube: Bool = true) -> [String] {
        ObjectMetaValidation.validate(meta, namespaced: namespaced, nameValidator: NameValidation.nameIsDNSSubdomain, kubeFinalizers: kube).map(\.description)
    }

    func testValidMetadata() {
        XCTAssertEqual(validate(["name": "web-0", "namespace": "default", "labels": ["app": "web", "example.com/tier": ""],
                                 "annotations": ["Example.com/Note": "x"], "finalizers": ["kubernetes", "example.com/f"], "generation": 1]), [])
        XCTAssertEqual(validate(["name": "node-a"], namespaced: false), [])
    }

    func testNameAndGenerateName() {
        XCTAssertEqual(validate(["namespace": "default"]), ["metadata.name: Required value: name or generateName is required"])
        let errs = validate(["name": "Bad_Name", "generateName": "Web-", "namespace": "default"])
        XCTAssertEqual(errs.count, 2)
        XCTAssertTrue(errs[0].hasPrefix("metadata.generateName: Invalid value: \"Web-\": a lowercase RFC 1123 subdomain"))
        XCTAssertTrue(errs[1].hasPrefix("metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"))
    }

    func testNamespaceRules() {
        XCTAssertEqual(validate(["name": "a"]), ["metadata.namespace: Required value"])
        XCTAssertEqual(validate(["name": "a", "namespace": "x"], namespaced: false), ["metadata.namespace: Forbidden: not allowed on this type"])
        XCTAssertEqual(validate(["name": "a", "namespace": "a.b"]), ["metadata.namespace: Invalid value: \"a.b\": must not contain dots"])
    }

    func testGenerationLabelsAnnotations() {
        XCTAssertEqual(validate(["name": "a", "namespace": "d", "generation": -1]), ["metadata.generation: Invalid value: -1: must be greater than or equal to 0"])
        let labelErrs = validate(["name": "a", "namespace": "d", "labels": ["a/b/c": "v", "k": "-bad"]])
        XCTAssertEqual(labelErrs.count, 2)
        XCTAssertTrue(labelErrs[0].hasPrefix("metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of"))
        XCTAssertTrue(labelErrs[1].hasPrefix("metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string"))
        let annErrs = validate(["name": "a", "namespace": "d", "annotations": ["bad key": "v"]])
        XCTAssertEqual(annErrs.count, 1)
        XCTAssertTrue(annErrs[0].hasPrefix("metadata.annotations: Invalid value: \"bad key\": name part must consist of"))
        let big = String(repeating: "x", count: 262_144)
        XCTAssertEqual(validate(["name": "a", "namespace": "d", "annotations": ["k": .string(big)]]),
                       ["metadata.annotations: Too long: may not be more than 262144 bytes"])
    }

    func testOwnerReferences() {
        let missing = validate(["name": "a", "namespace": "d", "ownerReferences": [[:]]])
        XCTAssertEqual(missing, [
            "metadata.ownerReferences.apiVersion: Invalid value: \"\": version must not be empty",
            "metadata.ownerReferences.kind: Invalid value: \"\": must not be empty",
            "metadata.ownerReferences.name: Invalid value: \"\": must not be empty",
            "metadata.ownerReferences.uid: Invalid value: \"\": must not be empty",
        ])
        let ref: (String) -> JSON = { ["apiVersion": "apps/v1", "kind": "StatefulSet", "name": .string($0), "uid": "u", "controller": true] }
        let two = validate(["name": "a", "namespace": "d", "ownerReferences": [ref("x"), ref("y")]])
        XCTAssertEqual(two.count, 1)
        XCTAssertTrue(two[0].hasPrefix("metadata.ownerReferences: Invalid value: [{"))
        XCTAssertTrue(two[0].hasSuffix(": Only one reference can have Controller set to true. Found \"true\" in references for StatefulSet/x and StatefulSet/y"))
        let event = validate(["name": "a", "namespace": "d", "ownerReferences": [["apiVersion": "v1", "kind": "Event", "name": "e", "uid": "u"]]])
        XCTAssertEqual(event.count, 1)
        XCTAssertTrue(event[0].hasSuffix(": /v1, Kind=Event is disallowed from being an owner"))
    }

    func testFinalizers() {
        XCTAssertEqual(validate(["name": "a", "namespace": "d", "finalizers": ["custom"]]),
                       ["metadata.finalizers[0]: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified"])
        XCTAssertEqual(validate(["name": "a", "namespace": "d", "finalizers": ["custom"]], kube: false), [])
        XCTAssertEqual(validate(["name": "a", "namespace": "d", "finalizers": ["orphan", "foregroundDeletion"]]),
                       ["metadata.finalizers: Invalid value: [\"orphan\",\"foregroundDeletion\"]: finalizer orphan and foregroundDeletion cannot be both set"])
        let bad = validate(["name": "a", "namespace": "d", "finalizers": ["a/b/c"]])
        XCTAssertEqual(bad.count, 1)
        XCTAssertTrue(bad[0].hasPrefix("metadata.finalizers: Invalid value: \"a/b/c\": a qualified name"))
        XCTAssertEqual(ObjectMetaValidation.validateNamespaceFinalizerName("custom", path: "spec.finalizers").map(\.description),
                       ["spec.finalizers: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified"])
        XCTAssertEqual(ObjectMetaValidation.validateNamespaceFinalizerName("kubernetes", path: "spec.finalizers"), [])
    }

    func testManagedFields() {
        let errs = validate(["name": "a", "namespace": "d", "managedFields": [["operation": "Patch", "fieldsType": "FieldsV2", "manager": "a\u{7}b"]]])
        XCTAssertEqual(errs, [
            "metadata.managedFields[0].operation: Invalid value: \"Patch\": must be `Apply` or `Update`",
            "metadata.managedFields[0].fieldsType: Invalid value: \"FieldsV2\": must be `FieldsV1`",
            "metadata.managedFields[0].manager: Invalid value: \"a\\x07b\": invalid character U+0007 (at position 1)",
        ])
        XCTAssertEqual(validate(["name": "a", "namespace": "d", "managedFields": [["operation": "Update", "manager": .string(String(repeating: "m", count: 129))]]]),
                       ["metadata.managedFields[0].manager: Too long: may not be more than 128 bytes"])
    }

    func testUpdateRules() {
        let old: JSON = ["name": "a", "namespace": "d", "uid": "u1", "resourceVersion": "5", "generation": 3,
                         "creationTimestamp": "2024-01-01T00:00:00Z", "finalizers": ["example.com/f"]]
        var new = old
        XCTAssertEqual(ObjectMetaValidation.validateUpdate(new, old: old), [])
        new["name"] = "b"; new["uid"] = "u2"; new["generation"] = 2; new["resourceVersion"] = nil
        new["creationTimestamp"] = nil
        XCTAssertEqual(ObjectMetaValidation.validateUpdate(new, old: old).map(\.description), [
            "metadata.resourceVersion: Invalid value: \"\": must be specified for an update",
            "metadata.generation: Invalid value: 2: must not be decremented",
            "metadata.name: Invalid value: \"b\": field is immutable",
            "metadata.uid: Invalid value: \"u2\": field is immutable",
            "metadata.creationTimestamp: Invalid value: null: field is immutable",
        ])
        var deleting = old
        deleting["deletionTimestamp"] = "2024-01-02T00:00:00Z"
        var added = deleting
        added["finalizers"] = ["example.com/f", "example.com/z", "example.com/a"]
        XCTAssertEqual(ObjectMetaValidation.validateUpdate(added, old: deleting).map(\.description), [
            "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/a\", \"example.com/z\"}",
        ])
        var unset = deleting
        unset["deletionTimestamp"] = nil
        XCTAssertEqual(ObjectMetaValidation.validateUpdate(unset, old: deleting).map(\.description),
                       ["metadata.deletionTimestamp: Invalid value: null: field is immutable"])
        var kube = old
        kube["finalizers"] = ["custom"]
        XCTAssertEqual(ObjectMetaValidation.validateUpdate(kube, old: old).map(\.description),
                       ["metadata.finalizers[0]: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified"])
    }
}
