import XCTest
@testable import APIMachinery

/// Strings another YAML reader would take for a timestamp, bool, number or null are quoted, as
/// kube-apiserver's go-yaml v2 output quotes them.
final class YAMLTimestampTests: XCTestCase {
    func testTimestampsAsGoYAMLParsesThem() {
        for text in ["2026-12-04T15:13:15Z", "2026-12-04t15:13:15Z", "2026-12-04T15:13:15.123456Z", "2026-12-04T15:13:15+01:00",
                     "2026-1-2T3:4:5Z", "2026-12-04 15:13:15", "2026-12-04 15:13:15.5", "2026-12-04", "2024-02-29"] {
            XCTAssertTrue(YAMLTimestamp.isTimestamp(text), text)
        }
        for text in ["2026-12-04T15:13:15", "2026-13-01", "2026-02-30", "2023-02-29", "26-12-04", "2026-12-04X", "2026-12-04T25:00:00Z",
                     "2026-12-04 15:13:15Z", "2026-12-04T15:13:15+1:00", "12026-12-04", "2026-12", "redis-2026-12-04", ""] {
            XCTAssertFalse(YAMLTimestamp.isTimestamp(text), text)
        }
    }

    func testAmbiguousStringsAreQuotedAsKubeAPIServerQuotesThem() {
        let quoted = ["2026-12-04T15:13:15Z", "2026-12-04", "true", "1", "null", "1.5", "0x1F", "~", "", "yes", "no", "on", "off"]
        for value in quoted {
            XCTAssertEqual(YAMLCodec.encode(["k": .string(value)]), "k: \"\(value)\"\n", value)
        }
        XCTAssertEqual(YAMLCodec.encode(["k": "redis-sts"]), "k: redis-sts\n")
        XCTAssertEqual(YAMLCodec.encode(["k": "2026-12-04-backup"]), "k: 2026-12-04-backup\n")
    }

    func testQuotedTimestampReadsBackAsTheString() throws {
        let object: JSON = ["metadata": ["creationTimestamp": "2026-12-04T15:13:15Z"]]
        XCTAssertEqual(try YAMLCodec.decode(Array(YAMLCodec.encode(object).utf8)).value, object)
    }
}
