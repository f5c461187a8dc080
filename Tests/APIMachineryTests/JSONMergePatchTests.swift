import XCTest
@testable import APIMachinery

func patchJSON(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSON {
    do { return try JSONParser.parse(text).value } catch {
        XCTFail("bad JSON in test: \(text)", file: file, line: line)
        return .null
    }
}

final class JSONMergePatchTests: XCTestCase {
    /// RFC 7386 Appendix A, every row.
    func testRFC7386AppendixA() {
        let cases: [(String, String, String)] = [
            (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
            (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
            (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
            (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
            (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
            (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
            (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
            (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
            (#"{"a":"foo"}"#, #"null"#, #"null"#),
            (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
            (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
            (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
            (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
        ]
        for (original, patch, expected) in cases {
            let result = JSONMergePatch.apply(patchJSON(patch), to: patchJSON(original))
            XCTAssertTrue(JSONTree.equal(result, patchJSON(expected)), "\(original) + \(patch) gave \(result)")
        }
    }

    func testMergesNestedObjectsAndKeepsMemberOrder() {
        let original = patchJSON(#"{"metadata":{"name":"a","labels":{"x":"1"}},"spec":{"replicas":1}}"#)
        let result = JSONMergePatch.apply(patchJSON(#"{"metadata":{"labels":{"y":"2","x":null}}}"#), to: original)
        XCTAssertEqual(result, patchJSON(#"{"metadata":{"name":"a","labels":{"y":"2"}},"spec":{"replicas":1}}"#))
    }

    func testAddedArraysKeepNullsButObjectsInsideLoseThem() {
        let result = JSONMergePatch.apply(patchJSON(#"{"a":[null,{"b":null,"c":1}]}"#), to: patchJSON("{}"))
        XCTAssertEqual(result, patchJSON(#"{"a":[null,{"c":1}]}"#))
    }

    func testObjectReplacedByScalarWhenPatchIsNotObject() {
        let result = JSONMergePatch.apply(patchJSON(#"{"spec":5}"#), to: patchJSON(#"{"spec":{"a":1}}"#))
        XCTAssertEqual(result, patchJSON(#"{"spec":5}"#))
    }

    func testDeeplyNestedPatchDoesNotRecurse() {
        // Built in a loop: the parser itself recurses and cannot be the test's bottleneck.
        let depth = 2_000
        var patch: JSON = 1
        for _ in 0..<depth { patch = .object(["a": patch]) }
        let result = JSONMergePatch.apply(patch, to: patchJSON("{}"))
        XCTAssertEqual(JSONTree.depth(result), depth)
        XCTAssertTrue(JSONTree.equal(JSONMergePatch.create(from: patchJSON("{}"), to: result), patch))
    }

    func testValidateRejectsWhatUpstreamRejects() {
        XCTAssertNoThrow(try JSONMergePatch.validate(patchJSON("{}")))
        assertAPIError(try JSONMergePatch.validate(.null), code: 400, reason: "BadRequest", message: "Invalid JSON Patch")
        assertAPIError(try JSONMergePatch.validate(patchJSON("[1]")), code: 400, reason: "BadRequest",
                       message: "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}")
        assertAPIError(try JSONMergePatch.validate(patchJSON(#""x""#), decodingStrictly: false), code: 400, reason: "BadRequest",
                       message: "Invalid JSON Patch")
        XCTAssertNoThrow(try JSONMergePatch.validate(patchJSON("[1]"), decodingStrictly: false))
    }

    func testCreateProducesPatchThatRoundTrips() {
        let a = patchJSON(#"{"a":1,"b":{"c":[1,2],"d":"x","e":true},"f":"gone"}"#)
        let b = patchJSON(#"{"a":1,"b":{"c":[1,2,3],"d":"x"},"g":{"h":null}}"#)
        let patch = JSONMergePatch.create(from: a, to: b)
        XCTAssertTrue(JSONTree.equal(patch, patchJSON(#"{"b":{"c":[1,2,3],"e":null},"f":null,"g":{"h":null}}"#)), "\(patch)")
        XCTAssertTrue(JSONTree.equal(JSONMergePatch.create(from: a, to: a), patchJSON("{}")))
    }
}

func assertAPIError<T>(_ body: @autoclosure () throws -> T, code: Int, reason: String, message: String,
                       file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected an error", file: file, line: line)
    } catch let error as APIError {
        XCTAssertEqual(error.code, code, file: file, line: line)
        XCTAssertEqual(error.reason, reason, file: file, line: line)
        XCTAssertEqual(error.message, message, file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}
