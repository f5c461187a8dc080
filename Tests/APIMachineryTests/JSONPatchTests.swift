import XCTest
@testable import APIMachinery

final class JSONPatchTests: XCTestCase {
    private func apply(_ patch: String, to doc: String) throws -> JSON {
        try JSONPatch.apply(patchJSON(patch), to: patchJSON(doc))
    }

    private func assertApplies(_ patch: String, to doc: String, gives expected: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let result = try apply(patch, to: doc)
            XCTAssertTrue(JSONTree.equal(result, patchJSON(expected)), "got \(result)", file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    /// The library's own failure text for a patch (upstream logs nothing of it, the client sees 422).
    private func failure(_ patch: String, on doc: String) -> String? {
        guard let decoded = try? JSONPatch(patchJSON(patch)) else { return "decoding failed" }
        do {
            _ = try decoded.applyOperations(to: patchJSON(doc))
            return nil
        } catch {
            return error.message
        }
    }

    // MARK: RFC 6902 Appendix A

    func testA1AddObjectMember() {
        assertApplies(#"[{"op":"add","path":"/baz","value":"qux"}]"#, to: #"{"foo":"bar"}"#, gives: #"{"baz":"qux","foo":"bar"}"#)
    }

    func testA2AddArrayElement() {
        assertApplies(#"[{"op":"add","path":"/foo/1","value":"qux"}]"#, to: #"{"foo":["bar","baz"]}"#, gives: #"{"foo":["bar","qux","baz"]}"#)
    }

    func testA3RemoveObjectMember() {
        assertApplies(#"[{"op":"remove","path":"/baz"}]"#, to: #"{"baz":"qux","foo":"bar"}"#, gives: #"{"foo":"bar"}"#)
    }

    func testA4RemoveArrayElement() {
        assertApplies(#"[{"op":"remove","path":"/foo/1"}]"#, to: #"{"foo":["bar","qux","baz"]}"#, gives: #"{"foo":["bar","baz"]}"#)
    }

    func testA5ReplaceValue() {
        assertApplies(#"[{"op":"replace","path":"/baz","value":"boo"}]"#, to: #"{"baz":"qux","foo":"bar"}"#, gives: #"{"baz":"boo","foo":"bar"}"#)
    }

    func testA6MoveValue() {
        assertApplies(#"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
                      to: #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
                      gives: #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#)
    }

    func testA7MoveArrayElement() {
        assertApplies(#"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
                      to: #"{"foo":["all","grass","cows","eat"]}"#, gives: #"{"foo":["all","cows","eat","grass"]}"#)
    }

    func testA8TestSucceeds() {
        assertApplies(#"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
                      to: #"{"baz":"qux","foo":["a",2,"c"]}"#, gives: #"{"baz":"qux","foo":["a",2,"c"]}"#)
    }

    func testA9TestFailsWith422() {
        assertAPIError(try apply(#"[{"op":"test","path":"/baz","value":"bar"}]"#, to: #"{"baz":"qux"}"#),
                       code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request")
        XCTAssertEqual(failure(#"[{"op":"test","path":"/baz","value":"bar"}]"#, on: #"{"baz":"qux"}"#),
                       "testing value /baz failed: test failed")
    }

    func testA10AddNestedMember() {
        assertApplies(#"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#, to: #"{"foo":"bar"}"#,
                      gives: #"{"foo":"bar","child":{"grandchild":{}}}"#)
    }

    func testA11IgnoresUnrecognizedMembers() {
        assertApplies(#"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, to: #"{"foo":"bar"}"#, gives: #"{"foo":"bar","baz":"qux"}"#)
    }

    func testA12AddToMissingParentFails() {
        assertAPIError(try apply(#"[{"op":"add","path":"/baz/bat","value":"qux"}]"#, to: #"{"foo":"bar"}"#),
                       code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request")
        XCTAssertEqual(failure(#"[{"op":"add","path":"/baz/bat","value":"qux"}]"#, on: #"{"foo":"bar"}"#),
                       #"add operation does not apply: doc is missing path: "/baz/bat": missing value"#)
    }

    func testA14EscapeOrdering() {
        assertApplies(#"[{"op":"test","path":"/~01","value":10}]"#, to: #"{"/":9,"~1":10}"#, gives: #"{"/":9,"~1":10}"#)
        assertApplies(#"[{"op":"add","path":"/a~1b","value":1}]"#, to: "{}", gives: #"{"a/b":1}"#)
    }

    func testA15StringIsNotNumber() {
        XCTAssertEqual(failure(#"[{"op":"test","path":"/~01","value":"10"}]"#, on: #"{"/":9,"~1":10}"#),
                       "testing value /~01 failed: test failed")
    }

    func testA16AddArrayValue() {
        assertApplies(#"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, to: #"{"foo":["bar"]}"#,
                      gives: #"{"foo":["bar",["abc","def"]]}"#)
    }

    // MARK: evanphx v4 specifics

    func testRemoveMissingPathFails() {
        XCTAssertEqual(failure(#"[{"op":"remove","path":"/nope"}]"#, on: #"{"a":1}"#),
                       "error in remove for path: '/nope': Unable to remove nonexistent key: nope: missing value")
        XCTAssertEqual(failure(#"[{"op":"remove","path":"/a/5"}]"#, on: #"{"a":[1]}"#),
                       "error in remove for path: '/a/5': Unable to access invalid index: 5: invalid index referenced")
    }

    func testTestComparesDeeplyIgnoringMemberOrder() {
        assertApplies(#"[{"op":"test","path":"/spec","value":{"b":[1,{"c":true}],"a":"x"}}]"#,
                      to: #"{"spec":{"a":"x","b":[1,{"c":true}]}}"#, gives: #"{"spec":{"a":"x","b":[1,{"c":true}]}}"#)
        XCTAssertNotNil(failure(#"[{"op":"test","path":"/spec","value":{"a":"x"}}]"#, on: #"{"spec":{"a":"x","b":1}}"#))
        XCTAssertNotNil(failure(#"[{"op":"test","path":"/n","value":1.0}]"#, on: #"{"n":1}"#))
    }

    func testTestOfMissingMemberPassesOnlyForNull() {
        assertApplies(#"[{"op":"test","path":"/x","value":null}]"#, to: "{}", gives: "{}")
        XCTAssertNotNil(failure(#"[{"op":"test","path":"/x","value":1}]"#, on: "{}"))
    }

    func testNegativeIndicesCountFromEnd() {
        assertApplies(#"[{"op":"remove","path":"/a/-1"}]"#, to: #"{"a":[1,2,3]}"#, gives: #"{"a":[1,2]}"#)
        assertApplies(#"[{"op":"add","path":"/a/-1","value":9}]"#, to: #"{"a":[1,2]}"#, gives: #"{"a":[1,2,9]}"#)
    }

    func testReplaceOfMissingMemberAddsIt() {
        assertApplies(#"[{"op":"replace","path":"/new","value":1}]"#, to: "{}", gives: #"{"new":1}"#)
        XCTAssertEqual(failure(#"[{"op":"replace","path":"/a/3","value":1}]"#, on: #"{"a":[1]}"#),
                       "replace operation does not apply: doc is missing key: /a/3: missing value")
    }

    func testCopyAndWholeDocumentReplace() {
        assertApplies(#"[{"op":"copy","from":"/a","path":"/b"}]"#, to: #"{"a":{"x":[1]}}"#, gives: #"{"a":{"x":[1]},"b":{"x":[1]}}"#)
        assertApplies(#"[{"op":"replace","path":"","value":{"z":1}}]"#, to: #"{"a":1}"#, gives: #"{"z":1}"#)
    }

    func testKubernetesStylePatch() {
        let doc = #"{"metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}}}"#
        assertApplies(#"""
            [{"op":"replace","path":"/spec/replicas","value":3},
             {"op":"add","path":"/metadata/labels/tier","value":"front"},
             {"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.27"},
             {"op":"add","path":"/metadata/annotations","value":{"a/b":"c"}},
             {"op":"test","path":"/metadata/annotations/a~1b","value":"c"}]
            """#, to: doc,
            gives: #"{"metadata":{"name":"web","labels":{"app":"web","tier":"front"},"annotations":{"a/b":"c"}},"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}"#)
    }

    func testUnknownOperationAndMissingPath() {
        XCTAssertEqual(failure(#"[{"op":"frobnicate","path":"/a"}]"#, on: "{}"), "Unexpected kind: frobnicate")
        XCTAssertEqual(failure(#"[{"op":"add","value":1}]"#, on: "{}"),
                       "add operation failed to decode path: operation missing path field: missing value")
        XCTAssertEqual(failure(#"[null]"#, on: "{}"), "Unexpected kind: unknown")
    }

    // MARK: decoding and limits

    func testBodyThatIsNotAnArrayIsBadRequest() {
        assertAPIError(try JSONPatch(patchJSON(#"{"op":"add"}"#)), code: 400, reason: "BadRequest",
                       message: "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp")
        assertAPIError(try JSONPatch(patchJSON(#"{"op":"add"}"#), decodingStrictly: false), code: 400, reason: "BadRequest",
                       message: "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        assertAPIError(try JSONPatch(patchJSON(#"["add"]"#)), code: 400, reason: "BadRequest",
                       message: "error decoding patch: json: cannot unmarshal string into Go value of type handlers.jsonPatchOp")
        assertAPIError(try JSONPatch(patchJSON(#"[{"op":"add","path":5}]"#)), code: 400, reason: "BadRequest",
                       message: "error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.path of type string")
        XCTAssertEqual(try JSONPatch(.null).operations.count, 0)
    }

    func testOperationLimit() throws {
        let op: JSON = ["op": "test", "path": "/a", "value": 1]
        XCTAssertEqual(try JSONPatch(.array(Array(repeating: op, count: 10_000))).operations.count, 10_000)
        assertAPIError(try JSONPatch(.array(Array(repeating: op, count: 10_001))), code: 413, reason: "RequestEntityTooLarge",
                       message: "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001")
    }

    func testDeepDocumentEditsInPlace() throws {
        var doc: JSON = ["leaf": 0]
        var path = ""
        for _ in 0..<1_500 {
            doc = ["n": doc]
            path += "/n"
        }
        let patch: JSON = [["op": "replace", "path": .string(path + "/leaf"), "value": 1]]
        let result = try JSONPatch.apply(patch, to: doc)
        var cursor = result
        for _ in 0..<1_500 { cursor = cursor["n"]! }
        XCTAssertEqual(cursor, ["leaf": 1])
    }
}
