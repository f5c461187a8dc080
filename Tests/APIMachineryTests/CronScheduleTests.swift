@testable import APIMachinery
import Foundation
import XCTest

/// The cron parser and next-time computation, against robfig/cron v3's behaviour.
final class CronScheduleTests: XCTestCase {
    let utc = TimeZone(identifier: "UTC")!

    func date(_ text: String) -> Date { Timestamp.parse(text)! }

    func next(_ spec: String, after: String, zone: TimeZone? = nil) throws -> String? {
        try CronSchedule(parsing: spec).next(after: date(after), in: zone ?? utc).map(Timestamp.format)
    }

    func testNextIsTheFirstMatchingMinuteStrictlyAfter() throws {
        XCTAssertEqual(try next("* * * * *", after: "2024-01-01T10:00:00Z"), "2024-01-01T10:01:00Z")
        XCTAssertEqual(try next("*/5 * * * *", after: "2024-01-01T10:00:30Z"), "2024-01-01T10:05:00Z")
        XCTAssertEqual(try next("@hourly", after: "2024-01-01T10:59:59Z"), "2024-01-01T11:00:00Z")
        XCTAssertEqual(try next("@daily", after: "2024-01-01T10:00:00Z"), "2024-01-02T00:00:00Z")
        XCTAssertEqual(try next("@monthly", after: "2024-01-31T10:00:00Z"), "2024-02-01T00:00:00Z")
        XCTAssertEqual(try next("@yearly", after: "2024-06-01T00:00:00Z"), "2025-01-01T00:00:00Z")
        // 2024-01-01 is a Monday: @weekly is Sunday midnight.
        XCTAssertEqual(try next("@weekly", after: "2024-01-01T00:00:00Z"), "2024-01-07T00:00:00Z")
        XCTAssertEqual(try next("30 9 * * mon-fri", after: "2024-01-05T10:00:00Z"), "2024-01-08T09:30:00Z")
        XCTAssertEqual(try next("0 0 29 feb *", after: "2024-03-01T00:00:00Z"), "2028-02-29T00:00:00Z")
        XCTAssertNil(try next("0 0 30 feb *", after: "2024-03-01T00:00:00Z"))
        XCTAssertEqual(try next("@every 90s", after: "2024-01-01T10:00:00Z"), "2024-01-01T10:01:30Z")
    }

    func testDayOfMonthAndWeekCombineAsCron() throws {
        // Both restricted: either matches (the 15th, or any Monday).
        XCTAssertEqual(try next("0 0 15 * mon", after: "2024-01-02T00:00:00Z"), "2024-01-08T00:00:00Z")
        // One is a star: both must match (Mondays only).
        XCTAssertEqual(try next("0 0 * * mon", after: "2024-01-02T00:00:00Z"), "2024-01-08T00:00:00Z")
        // A stepped star is no longer a star: */2 days of month or Mondays.
        XCTAssertEqual(try next("0 0 */2 * mon", after: "2024-01-01T12:00:00Z"), "2024-01-03T00:00:00Z")
    }

    func testTimeZones() throws {
        let paris = TimeZone(identifier: "Europe/Paris")!
        XCTAssertEqual(try next("0 9 * * *", after: "2024-01-01T00:00:00Z", zone: paris), "2024-01-01T08:00:00Z")
        XCTAssertEqual(try next("TZ=America/New_York 0 9 * * *", after: "2024-01-01T00:00:00Z"), "2024-01-01T14:00:00Z")
        XCTAssertThrowsError(try CronSchedule(parsing: "TZ=Nowhere/City * * * * *")) { error in
            XCTAssertEqual("\(error)", "provided bad location Nowhere/City: unknown time zone Nowhere/City")
        }
    }

    func testErrors() {
        func message(_ spec: String) -> String {
            do { _ = try CronSchedule(parsing: spec); return "" } catch { return error.description }
        }
        XCTAssertEqual(message(""), "empty spec string")
        XCTAssertEqual(message("1-2-3 * * * *"), "too many hyphens: 1-2-3")
        XCTAssertEqual(message("1/2/3 * * * *"), "too many slashes: 1/2/3")
        XCTAssertEqual(message("5-1 * * * *"), "beginning of range (5) beyond end of range (1): 5-1")
        XCTAssertEqual(message("* * 0 * *"), "beginning of range (0) below minimum (1): 0")
        XCTAssertEqual(message("* * * * 7"), "end of range (7) above maximum (6): 7")
        XCTAssertEqual(message("*/0 * * * *"), "step of range should be a positive number: */0")
        XCTAssertEqual(message("-1 * * * *"), "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax")
        XCTAssertEqual(message("@every x"), "failed to parse duration @every x: time: invalid duration \"x\"")
    }
}
