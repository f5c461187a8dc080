import XCTest
@testable import APIMachinery

/// Field sets and their `fieldsV1` encoding, against what kube-apiserver writes.
final class FieldSetTests: XCTestCase {
    func testDecodesAndEncodesUpstreamFieldsV1ByteForByte() throws {
        // A Deployment's kubectl-client-side-apply entry from a 1.32 cluster (trimmed).
        let text = #"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}}}}}}}}"#
        let set = try FieldSet(fieldsV1: patchJSON(text))
        XCTAssertTrue(set.contains([.field("spec"), .field("replicas")]))
        XCTAssertTrue(set.contains([.field("metadata"), .field("labels")]))
        XCTAssertFalse(set.contains([.field("spec")]), "a struct with owned fields below is not itself a member")
        XCTAssertTrue(set.contains([.field("spec"), .field("template"), .field("spec"), .field("containers"), .key([("name", "nginx")])]))
        XCTAssertEqual(JSONWriter.encodeString(set.fieldsV1), text)
    }

    func testOrdersElementsAsUpstream() {
        var set = FieldSet()
        set.insert([.field("b")])
        set.insert([.key([("port", 10)])])
        set.insert([.key([("port", 9)])])
        set.insert([.value(.string("x"))])
        set.insert([.field("a")])
        set.insert([.index(2)])
        // Fields, then keys by value (9 before 10, not as text), then values, then indexes.
        XCTAssertEqual(JSONWriter.encodeString(set.fieldsV1), #"{"f:a":{},"f:b":{},"k:{\"port\":9}":{},"k:{\"port\":10}":{},"v:\"x\"":{},"i:2":{}}"#)
    }

    func testRejectsUnknownPrefix() {
        XCTAssertThrowsError(try FieldSet(fieldsV1: patchJSON(#"{"x:name":{}}"#)))
        XCTAssertThrowsError(try FieldSet(fieldsV1: patchJSON(#"{"k:notjson":{}}"#)))
    }

    func testSetOperations() {
        var a = FieldSet(), b = FieldSet()
        a.insert([.field("spec"), .field("replicas")])
        a.insert([.field("spec"), .field("paused")])
        b.insert([.field("spec"), .field("replicas")])
        b.insert([.field("metadata"), .field("labels"), .field("app")])
        XCTAssertEqual(a.intersection(b).paths().map(FieldSet.describe), [".spec.replicas"])
        XCTAssertEqual(a.subtracting(b).paths().map(FieldSet.describe), [".spec.paused"])
        XCTAssertEqual(a.union(b).paths().map(FieldSet.describe), [".metadata.labels.app", ".spec.paused", ".spec.replicas"])
        XCTAssertTrue(a.subtracting(a).isEmpty)
    }

    func testPathDescriptions() {
        XCTAssertEqual(FieldSet.describe([.field("spec"), .field("containers"), .key([("name", "nginx")]), .field("image")]),
                       #".spec.containers[name="nginx"].image"#)
        XCTAssertEqual(FieldSet.describe([.field("finalizers"), .value(.string("a"))]), #".finalizers[="a"]"#)
        XCTAssertEqual(FieldSet.describe([.field("ports"), .key([("protocol", .string("TCP")), ("containerPort", .int(80))])]),
                       #".ports[containerPort=80,protocol="TCP"]"#)
    }

    func testManagedFieldsListRoundTripAndReset() throws {
        let list = patchJSON(#"[{"manager":"kubectl","operation":"Update","apiVersion":"v1","time":"2024-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:a":{}}}},{"manager":"op","operation":"Apply","apiVersion":"v1","time":"2024-01-02T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:b":{}}}}]"#)
        let entries = try ManagedFieldsList.decode(list)
        XCTAssertEqual(entries.count, 2)
        // Appliers sort first.
        XCTAssertEqual(ManagedFieldsList.encode(entries).arrayValue?[0]["manager"], "op")
        XCTAssertThrowsError(try ManagedFieldsList.decode(patchJSON(#"[{"manager":"x","operation":"Update","fieldsType":"FieldsV2"}]"#)))
        XCTAssertThrowsError(try ManagedFieldsList.decode(patchJSON(#"[{"manager":"x","operation":"Bogus","fieldsType":"FieldsV1"}]"#)))
        XCTAssertTrue(ManagedFieldsList.isReset(patchJSON("[]")))
        XCTAssertTrue(ManagedFieldsList.isReset(patchJSON("[{}]")))
        XCTAssertFalse(ManagedFieldsList.isReset(nil))
    }
}
