@testable import APIServer
import XCTest

/// The byte-level split and trim must give what String.split and whitespace trimming gave.
final class ASCIITextTests: XCTestCase {
    func testSplitMatchesTheStandardLibrary() {
        let samples = ["", "/", "//", "/api/v1/namespaces/default/pods", "a//b/", "ünï/cödé//x", "application/json;as=Table;;v=v1"]
        for sample in samples {
            for separator: Character in ["/", ";"] {
                for omitting in [true, false] {
                    for maxSplits in [0, 1, 2, Int.max] {
                        let expected = sample.split(separator: separator, maxSplits: maxSplits, omittingEmptySubsequences: omitting)
                        let actual = sample.splitASCII(separator.unicodeScalars.first!, maxSplits: maxSplits, omittingEmptySubsequences: omitting)
                        XCTAssertEqual(actual, expected, "\(sample) split on \(separator), maxSplits \(maxSplits), omitting \(omitting)")
                    }
                }
            }
        }
    }

    func testTrimmingRemovesOnlyOuterASCIIWhitespace() {
        XCTAssertEqual(" \t application/json \r\n"[...].trimmingASCIIWhitespace(), "application/json")
        XCTAssertEqual("a b"[...].trimmingASCIIWhitespace(), "a b")
        XCTAssertEqual("   "[...].trimmingASCIIWhitespace(), "")
    }

    func testMediaTypesParseAsBefore() {
        let parsed = MediaType.parseList(" application/json;as=Table;v=v1;g=meta.k8s.io, application/yaml ;q=0.5,text/plain;q=0")
        XCTAssertEqual(parsed.map(\.essence), ["application/json", "application/yaml"])
        XCTAssertEqual(parsed[0].parameters, ["as": "Table", "v": "v1", "g": "meta.k8s.io"])
        XCTAssertEqual(parsed[1].parameters["q"], "0.5")
        XCTAssertNil(MediaType(parsing: "application/"))
        XCTAssertEqual(MediaType.parseList("  ").map(\.essence), ["*/*"])
    }
}
