import XCTest
@testable import APIMachinery

/// The validator must accept exactly what the parser accepts: a restart keeps rows it validated as
/// bytes and parses them later, where a failure could no longer stop the start.
final class JSONValidatorTests: XCTestCase {
    private func accepts(_ text: String) -> Bool { (try? JSONValidator.validate(Array(text.utf8))) != nil }
    private func parses(_ text: String) -> Bool { (try? JSONParser.parse(text)) != nil }

    func testAcceptsWhatTheParserAccepts() {
        let documents = [
            #"{"b":1,"a":[true,false,null,-2.5,"x\n\u00e9"],"c":{}}"#, "[]", "{}", " [ ] ", "0", "-0", "1e3", "1.5E-7",
            #""\ud83d\ude00""#, #""\ud800""#, #"{"a":{"b":{"c":[[],[{}],{"d":[1,2,{"e":null}]}]}}}"#,
            #"{"k":1,"k":2}"#, "\t\r\n{ \"a\" : [ 1 , 2 ] }\n",
        ]
        for document in documents {
            XCTAssertTrue(parses(document), document)
            XCTAssertTrue(accepts(document), document)
        }
    }

    func testRefusesWhatTheParserRefuses() {
        let documents = [
            "", " ", "{", "[", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[1 2]", "{1:2}", "tru", "nul", "01",
            "-", "1.", "1e", "1e+", ".5", "\"abc", "\"a\u{01}b\"", #""\x""#, #""\u12g4""#, "{} {}", "[]]", "{\"a\":1}}",
            "\"\\", "[\"a\",", "{\"a\"",
        ]
        for document in documents {
            XCTAssertFalse(parses(document), document)
            XCTAssertFalse(accepts(document), document)
        }
    }

    func testNestingIsBoundedAsTheParsersIs() {
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        XCTAssertFalse(accepts(deep))
        let allowed = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        XCTAssertTrue(accepts(allowed))
    }

    func testAgreesWithTheParserOnEveryTruncationOfAnObject() {
        let object = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","labels":{"x":"y"}},"spec":{"containers":[{"name":"c","image":"redis","ports":[{"containerPort":6379}]}],"n":-1.25e2,"ok":true,"none":null}}"#
        let bytes = Array(object.utf8)
        for end in 0...bytes.count {
            let prefix = String(decoding: bytes[..<end], as: UTF8.self)
            XCTAssertEqual(accepts(prefix), parses(prefix), "\(end): \(prefix)")
        }
    }
}
