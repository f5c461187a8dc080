import APIMachinery
@testable import Controllers
import Foundation
import XCTest

/// The CronJob controller's schedule arithmetic: the most recent unmet time and missed counts.
final class CronJobScheduleTests: XCTestCase {
    func view(created: String, last: String? = nil, deadline: Int? = nil) -> CronJobView {
        var object: JSON = ["metadata": ["name": "c", "creationTimestamp": .string(created)], "spec": [:], "status": [:]]
        if let last { object[path: "status", "lastScheduleTime"] = .string(last) }
        if let deadline { object[path: "spec", "startingDeadlineSeconds"] = .int(Int64(deadline)) }
        return CronJobView(object)
    }

    func schedule(_ text: String) throws -> CronJobSchedule {
        CronJobSchedule(schedule: try CronSchedule(parsing: text), zone: TimeZone(identifier: "UTC")!)
    }

    func testNoneFewAndMany() throws {
        let s = try schedule("*/10 * * * *")
        let now = Timestamp.parse("2024-01-01T01:05:00Z")!
        XCTAssertNil(s.mostRecent(view(created: "2024-01-01T01:01:00Z"), now: now, includeStartingDeadline: true).0)
        let (one, none) = s.mostRecent(view(created: "2024-01-01T00:55:00Z"), now: now, includeStartingDeadline: true)
        XCTAssertEqual(one, Timestamp.parse("2024-01-01T01:00:00Z"))
        XCTAssertEqual(none, .none)
        let (recent, few) = s.mostRecent(view(created: "2024-01-01T00:00:00Z"), now: now, includeStartingDeadline: true)
        XCTAssertEqual(recent, Timestamp.parse("2024-01-01T01:00:00Z"))
        XCTAssertEqual(few, .few)
        let (later, many) = s.mostRecent(view(created: "2023-12-01T00:00:00Z"), now: now, includeStartingDeadline: true)
        XCTAssertEqual(later, Timestamp.parse("2024-01-01T01:00:00Z"))
        XCTAssertEqual(many, .many)
    }

    func testManyMissedOfAnIrregularScheduleLandsOnAScheduledTime() throws {
        let s = try schedule("0 9 * * mon-fri")
        // 2024-06-09 is a Sunday: the most recent weekday 09:00 is Friday the 7th.
        let now = Timestamp.parse("2024-06-09T12:00:00Z")!
        let (recent, missed) = s.mostRecent(view(created: "2023-01-01T00:00:00Z"), now: now, includeStartingDeadline: true)
        XCTAssertEqual(recent, Timestamp.parse("2024-06-07T09:00:00Z"))
        XCTAssertEqual(missed, .many)
    }

    func testStartingDeadlineBoundsTheLookBack() throws {
        let s = try schedule("0 * * * *")
        let now = Timestamp.parse("2024-01-01T10:30:00Z")!
        let cj = view(created: "2024-01-01T00:00:00Z", deadline: 600)
        XCTAssertNil(s.mostRecent(cj, now: now, includeStartingDeadline: true).0)
        XCTAssertEqual(s.mostRecent(cj, now: now, includeStartingDeadline: false).0, Timestamp.parse("2024-01-01T10:00:00Z"))
        // Just after the hour the deadline still allows it.
        let early = Timestamp.parse("2024-01-01T10:05:00Z")!
        XCTAssertEqual(s.mostRecent(cj, now: early, includeStartingDeadline: true).0, Timestamp.parse("2024-01-01T10:00:00Z"))
        XCTAssertEqual(s.untilNext(cj, now: early).map { ($0 * 10).rounded() / 10 }, 55 * 60 + 0.1)
    }
}
