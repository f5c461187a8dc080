@testable import ControllerRuntime
import Foundation
import XCTest

/// client-go's event correlation: similar events combined after ten, identical ones counted, and a
/// source's events about one object limited to a burst of 25 refilled once per 5 minutes.
final class EventCorrelatorTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func event(_ message: String, object: String = "rs", reason: String = "SuccessfulCreate") -> EventCorrelator.Event {
        EventCorrelator.Event(component: "replicaset-controller", host: "", kind: "ReplicaSet", namespace: "default",
                              name: object, uid: "u-\(object)", apiVersion: "apps/v1", fieldPath: "", type: "Normal",
                              reason: reason, message: message)
    }

    /// Records each decision's name as the recorder would, returning the decisions.
    func record(_ correlator: EventCorrelator, _ events: [EventCorrelator.Event], at time: Date) -> [EventCorrelator.Decision?] {
        events.enumerated().map { i, e in
            let decision = correlator.correlate(e, now: time)
            if let decision, decision.existingName == nil { correlator.written(name: "event-\(i)", key: decision.key) }
            return decision
        }
    }

    func testSimilarEventsAreCombinedAfterNine() {
        let correlator = EventCorrelator()
        let decisions = record(correlator, (0..<15).map { event("Created pod: p-\($0)") }, at: start)
        // Nine distinct messages are written as they are; from the tenth, one combined event counts up.
        for i in 0..<9 {
            XCTAssertEqual(decisions[i]?.message, "Created pod: p-\(i)")
            XCTAssertEqual(decisions[i]?.count, 1)
        }
        XCTAssertEqual(decisions[9]?.message, "(combined from similar events): Created pod: p-9")
        XCTAssertEqual(decisions[9]?.count, 1)
        XCTAssertNil(decisions[9]?.existingName)
        XCTAssertEqual(decisions[14]?.message, "(combined from similar events): Created pod: p-14")
        XCTAssertEqual(decisions[14]?.count, 6)
        XCTAssertEqual(decisions[14]?.existingName, "event-9")
        XCTAssertEqual(decisions[14]?.firstTimestamp, start)
    }

    func testIdenticalEventsCountUpOnTheFirst() {
        let correlator = EventCorrelator()
        let decisions = record(correlator, [event("Back-off"), event("Back-off"), event("Back-off")], at: start)
        XCTAssertEqual(decisions.map { $0?.count }, [1, 2, 3])
        XCTAssertEqual(decisions.map { $0?.existingName }, [nil, "event-0", "event-0"])
    }

    func testSimilarEventsTenMinutesApartStartAfresh() {
        let correlator = EventCorrelator()
        _ = record(correlator, (0..<9).map { event("m\($0)") }, at: start)
        let later = correlator.correlate(event("m9"), now: start.addingTimeInterval(601))
        XCTAssertEqual(later?.message, "m9")
    }

    func testASourceMayBurst25EventsAboutAnObjectThenOneEveryFiveMinutes() {
        let correlator = EventCorrelator()
        let reasons = (0..<30).map { event("same", reason: "Reason\($0)") }
        let decisions = record(correlator, reasons, at: start)
        XCTAssertEqual(decisions.prefix(25).filter { $0 != nil }.count, 25)
        XCTAssertEqual(decisions.suffix(5).filter { $0 != nil }.count, 0)
        // Another object has its own budget.
        XCTAssertNotNil(correlator.correlate(event("same", object: "other"), now: start))
        XCTAssertNil(correlator.correlate(event("again", reason: "Late"), now: start.addingTimeInterval(200)))
        XCTAssertNotNil(correlator.correlate(event("again", reason: "Later"), now: start.addingTimeInterval(301)))
    }

    func testBoundedCacheKeepsAtMostItsCapacityAndRecentEntries() {
        var cache = BoundedCache<String, Int>(capacity: 8)
        for i in 0..<100 {
            cache["k\(i)"] = i
            _ = cache["k0"]  // used all along: never dropped
        }
        XCTAssertLessThanOrEqual(cache.count, 8)
        XCTAssertEqual(cache["k0"], 0)
        XCTAssertEqual(cache["k99"], 99)
        XCTAssertNil(cache["k50"])
    }
}
