import ControllerRuntime
import Foundation
import XCTest

/// client-go's reflector backoff: 800 ms doubling to 30 s, up to 100% jitter, reset after 2 minutes.
final class ReflectorBackoffTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func testPausesDoubleToTheCap() {
        var backoff = ReflectorBackoff()
        let pauses = (0..<8).map { backoff.pause(now: start.addingTimeInterval(Double($0)), random: 0).seconds }
        XCTAssertEqual(pauses, [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30])
    }

    func testJitterAddsUpToTheWholePause() {
        var backoff = ReflectorBackoff()
        XCTAssertEqual(backoff.pause(now: start, random: 0.999999).seconds, 1.6, accuracy: 0.001)
        XCTAssertEqual(backoff.pause(now: start, random: 0.5).seconds, 2.4, accuracy: 0.001)
    }

    func testAHealthyPeriodResetsThePause() {
        var backoff = ReflectorBackoff()
        for _ in 0..<5 { _ = backoff.pause(now: start, random: 0) }
        XCTAssertEqual(backoff.pause(now: start.addingTimeInterval(60), random: 0).seconds, 25.6)
        XCTAssertEqual(backoff.pause(now: start.addingTimeInterval(60 + 121), random: 0).seconds, 0.8)
    }
}
