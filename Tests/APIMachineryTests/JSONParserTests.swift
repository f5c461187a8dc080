import XCTest
@testable import APIMachinery

final class JSONParserTests: XCTestCase {
    func testParsesScalarsArraysAndObjectsInOrder() throws {
        let result = try JSONParser.parse(#"{"b":1,"a":[true,false,null,-2.5,"x\n\u00e9"],"c":{}}"#)
        XCTAssertEqual(result.value, ["b": 1, "a": [true, false, nil, -2.5, "x\né"], "c": .object([:])])
        XCTAssertEqual(result.value.objectValue?.keys.elements, ["b", "a", "c"])
        XCTAssertTrue(result.duplicateFields.isEmpty)
    }

    func testIntegersStayIntegersAndLargeNumbersBecomeDoubles() throws {
        XCTAssertEqual(try JSONParser.parse("9223372036854775807").value, .int(Int64.max))
        XCTAssertEqual(try JSONParser.parse("9223372036854775808").value, .double(9223372036854775808))
        XCTAssertEqual(try JSONParser.parse("1e3").value, .double(1000))
        XCTAssertEqual(try JSONParser.parse("1.0").value, .double(1))
    }

    func testReportsDuplicateFieldsWithFullPathsLastOneWins() throws {
        let result = try JSONParser.parse(#"{"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"a","name":"b"}]}},"replicas":2}}"#)
        XCTAssertEqual(result.duplicateFields, ["spec.template.spec.containers[0].name", "spec.replicas"])
        XCTAssertEqual(result.value[path: "spec", "replicas"], 2)
    }

    func testLargeObjectsAndNestedContainersKeepOrderAndDuplicates() throws {
        // More than 16 members switches duplicate detection to a set; nested containers share the
        // parser's scratch space with their parents.
        var members = (0..<40).map { "\"k\($0)\":[\($0),{\"n\":[\($0)]}]" }
        members.insert("\"k3\":\"again\"", at: 30)
        let result = try JSONParser.parse("{" + members.joined(separator: ",") + "}")
        let object = try XCTUnwrap(result.value.objectValue)
        XCTAssertEqual(object.keys.elements, (0..<40).map { "k\($0)" })
        XCTAssertEqual(object["k3"], "again", "the last value wins, in the first one's place")
        XCTAssertEqual(object["k39"], [39, ["n": [39]]])
        XCTAssertEqual(result.duplicateFields, ["k3"])
    }

    func testSyntaxErrorsAreWordedAsGo() {
        XCTAssertThrowsError(try JSONParser.parse("{\"a\":}")) { error in
            XCTAssertEqual((error as? JSONSyntaxError)?.message, "invalid character '}' looking for beginning of value")
        }
        XCTAssertThrowsError(try JSONParser.parse("{\"a\":1")) { error in
            XCTAssertEqual((error as? JSONSyntaxError)?.message, "unexpected end of JSON input")
        }
        XCTAssertThrowsError(try JSONParser.parse("{} x")) { error in
            XCTAssertEqual((error as? JSONSyntaxError)?.message, "invalid character 'x' after top-level value")
        }
        XCTAssertThrowsError(try JSONParser.parse("\"a\u{01}\""))
        XCTAssertThrowsError(try JSONParser.parse("01"))
        XCTAssertThrowsError(try JSONParser.parse(""))
    }

    /// Requests are parsed on libmicrohttpd threads with large stacks (HTTPServerConfiguration.threadStackBytes);
    /// the test does the same, since XCTest's main thread has a smaller one.
    func testDeepNestingIsRejectedNotOverflowed() {
        let outcome = OnLargeStack.run { () -> (String?, Bool) in
            let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            var message: String?
            do { _ = try JSONParser.parse(deep) } catch { message = (error as? JSONSyntaxError)?.message }
            let limit = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
            let accepted = (try? JSONParser.parse(limit)) != nil
            return (message, accepted)
        }
        XCTAssertEqual(outcome.0, "exceeded max depth")
        XCTAssertTrue(outcome.1, "a document exactly at the depth limit is accepted")
    }

    func testInvalidUTF8InStringsBecomesReplacementCharacterAsInGo() throws {
        var bytes = Array(#"{"a":"x"#.utf8)
        bytes.append(0xff)
        bytes.append(contentsOf: Array(#"y"}"#.utf8))
        XCTAssertEqual(try JSONParser.parse(bytes).value, ["a": "x\u{FFFD}y"])
    }

    func testSurrogatePairsAndLoneSurrogates() throws {
        XCTAssertEqual(try JSONParser.parse(#""\ud83d\ude00""#).value, "😀")
        XCTAssertEqual(try JSONParser.parse(#""\ud83d""#).value, "\u{FFFD}")
    }
}

final class JSONWriterTests: XCTestCase {
    func testCompactOutputWithGoEscapes() {
        let value: JSON = ["a": "<tag>&\"\\\n\u{01}\u{2028}", "b": [1, 2.5, true, nil], "c": 1e21, "d": 100000.0]
        XCTAssertEqual(JSONWriter.encodeString(value),
                       #"{"a":"\u003ctag\u003e\u0026\"\\\n\u0001\u2028","b":[1,2.5,true,null],"c":1e+21,"d":100000}"#)
    }

    func testRoundTrip() throws {
        let text = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"redis"}]}}"#
        XCTAssertEqual(JSONWriter.encodeString(try JSONParser.parse(text).value), text)
    }
}

final class TimestampTests: XCTestCase {
    func testFormatAndParse() {
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        XCTAssertEqual(Timestamp.format(date), "2023-11-14T22:13:20Z")
        XCTAssertEqual(Timestamp.parse("2023-11-14T22:13:20Z"), date)
        XCTAssertEqual(Timestamp.parse("2023-11-15T00:13:20+02:00"), date)
        XCTAssertEqual(Timestamp.parse("2023-11-14T22:13:20.5Z")?.timeIntervalSince1970, 1_700_000_000.5)
        XCTAssertNil(Timestamp.parse("2023-13-14T22:13:20Z"))
        XCTAssertNil(Timestamp.parse("yesterday"))
    }

    func testHumanDurationMatchesUpstream() {
        XCTAssertEqual(Timestamp.humanDuration(5), "5s")
        XCTAssertEqual(Timestamp.humanDuration(119), "119s")
        XCTAssertEqual(Timestamp.humanDuration(200), "3m20s")
        XCTAssertEqual(Timestamp.humanDuration(3600 * 2 + 60 * 5), "125m")
        XCTAssertEqual(Timestamp.humanDuration(3600 * 5 + 60 * 5), "5h5m")
        XCTAssertEqual(Timestamp.humanDuration(3600 * 30), "30h")
        XCTAssertEqual(Timestamp.humanDuration(86400 * 3 + 3600), "3d1h")
        XCTAssertEqual(Timestamp.humanDuration(86400 * 30), "30d")
    }
}

final class APIErrorTests: XCTestCase {
    func testInvalidStatusCarriesCausesAndUpstreamMessage() {
        let error = APIError.invalid(GroupKind(group: "apps", kind: "StatefulSet"), "web", [
            .invalid(FieldPath("spec.replicas"), .int(-1), "must be greater than or equal to 0"),
            .required(FieldPath("spec.selector")),
        ])
        XCTAssertEqual(error.code, 422)
        XCTAssertEqual(error.message, #"StatefulSet.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.selector: Required value]"#)
        let status = error.status
        XCTAssertEqual(status[path: "details", "kind"], "StatefulSet")
        XCTAssertEqual(status[path: "details", "group"], "apps")
        XCTAssertEqual(status[path: "details", "causes"]?.arrayValue?.first?["field"], "spec.replicas")
        XCTAssertEqual(status[path: "details", "causes"]?.arrayValue?.last?["reason"], "FieldValueRequired")
    }

    func testNotFoundAndConflictShapes() {
        let nf = APIError.notFound(GroupResource(group: "", resource: "namespaces"), "x")
        XCTAssertEqual(nf.message, #"namespaces "x" not found"#)
        XCTAssertEqual(nf.status["code"], 404)
        let conflict = APIError.conflict(GroupResource(group: "apps", resource: "statefulsets"), "web", APIError.modifiedSinceRead)
        XCTAssertEqual(conflict.message, #"Operation cannot be fulfilled on statefulsets.apps "web": the object has been modified; please apply your changes to the latest version and try again"#)
        XCTAssertEqual(conflict.reason, "Conflict")
    }
}
import Foundation

/// Runs a closure on a thread with a 64 MiB stack, like the server's request threads, and waits for it.
enum OnLargeStack {
    static func run<T>(_ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        let thread = Thread { box.value = body(); box.done.signal() }
        thread.stackSize = 64 << 20
        thread.start()
        box.done.wait()
        return box.value!
    }
}

final class ResultBox<T>: @unchecked Sendable {
    var value: T?
    let done = DispatchSemaphore(value: 0)
}
