@testable import APIServer
import XCTest

/// Go's time.ParseDuration, for ?timeout= and --request-timeout.
final class GoDurationParseTests: XCTestCase {
    func testGoForms() {
        XCTAssertEqual(GoDuration.parse("0"), .zero)
        XCTAssertEqual(GoDuration.parse("1m0s"), .seconds(60))
        XCTAssertEqual(GoDuration.parse("1h30m"), .seconds(5400))
        XCTAssertEqual(GoDuration.parse("2.5s"), .milliseconds(2500))
        XCTAssertEqual(GoDuration.parse("300ms"), .milliseconds(300))
        XCTAssertEqual(GoDuration.parse("1µs"), .microseconds(1))
        XCTAssertEqual(GoDuration.parse("-5s"), .seconds(-5))
        for invalid in ["", "5", "s", "1x", "1.2.3s", "soon", "1 s", "."] {
            XCTAssertNil(GoDuration.parse(invalid), invalid)
        }
    }
}
