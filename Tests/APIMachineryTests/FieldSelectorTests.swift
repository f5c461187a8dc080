import XCTest
@testable import APIMachinery

final class FieldSelectorTests: XCTestCase {
    private func parse(_ s: String) throws -> FieldSelectorQuery { try FieldSelectorQuery(parsing: s) }

    func testParsingAndMatching() throws {
        XCTAssertTrue(try parse("").isEmpty)
        XCTAssertTrue(try parse(",").isEmpty)
        let s = try parse("status.phase!=Running,metadata.name==web-0,spec.nodeName=")
        XCTAssertEqual(s.requirements.map(\.field), ["metadata.name", "spec.nodeName", "status.phase"])
        XCTAssertEqual(s.requirements.map(\.op), [.doubleEquals, .equals, .notEquals])
        XCTAssertTrue(s.matches(["metadata.name": "web-0", "status.phase": "Pending"]))
        XCTAssertFalse(s.matches(["metadata.name": "web-0", "status.phase": "Running"]))
        XCTAssertFalse(s.matches(["metadata.name": "web-0", "spec.nodeName": "n1"]))
        XCTAssertEqual(s.requiredValue(for: "metadata.name"), "web-0")
        XCTAssertNil(s.requiredValue(for: "status.phase"))
        XCTAssertEqual(s.description, "metadata.name=web-0,spec.nodeName=,status.phase!=Running")
    }

    func testEscaping() throws {
        let s = try parse(#"metadata.name=a\,b\=c\\d"#)
        XCTAssertEqual(s.requirements[0].value, #"a,b=c\d"#)
        XCTAssertEqual(s.description, #"metadata.name=a\,b\=c\\d"#)
        XCTAssertEqual(FieldSelectorQuery.escape("x=y"), #"x\=y"#)
        XCTAssertEqual(try parse("a==b").requirements[0].value, "b")
    }

    func testErrors() {
        let cases: [(String, String)] = [
            ("foo", "invalid selector: 'foo'; can't understand 'foo'"),
            ("a=b,foo", "invalid selector: 'a=b,foo'; can't understand 'foo'"),
            ("a=b=c", "invalid field selector: unescaped character in value: 61"),
            (#"a=b\x"#, #"invalid field selector: invalid escape sequence: \x"#),
            (#"a=b\"#, #"invalid field selector: invalid escape sequence: \"#),
            ("a!==b", "invalid field selector: unescaped character in value: 61"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                XCTAssertEqual((error as? APIError)?.code, 400, text)
                XCTAssertEqual((error as? APIError)?.message, message, text)
            }
        }
        XCTAssertThrowsError(try parse("spec.foo=x").checkSupported(["metadata.name"])) { error in
            XCTAssertEqual((error as? APIError)?.message, "field label not supported: spec.foo")
        }
        XCTAssertNoThrow(try parse("metadata.name=x").checkSupported(["metadata.name"]))
    }
}
