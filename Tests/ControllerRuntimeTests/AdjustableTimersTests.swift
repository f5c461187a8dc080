import ControllerRuntime
import Foundation
import KubeliteTesting
import Synchronization
import XCTest

/// The testing clock: wall time plus a growing offset; delayed work runs when the clock passes it.
final class AdjustableTimersTests: XCTestCase {
    func testAdvancingRunsDueWorkAtOnceAndLeavesTheRest() {
        let timers = AdjustableTimers()
        let ran = Mutex<[String]>([])
        timers.after(.seconds(3600)) { ran.withLock { $0.append("hour") } }
        timers.after(.seconds(7200)) { ran.withLock { $0.append("two hours") } }
        let before = timers.now()
        timers.advance(by: 3600)
        waitUntil("the hour's work") { ran.withLock { $0 } == ["hour"] }
        XCTAssertGreaterThanOrEqual(timers.now().timeIntervalSince(before), 3600)
        usleep(50_000)
        XCTAssertEqual(ran.withLock { $0 }, ["hour"])
        timers.advance(by: 3600)
        waitUntil("both") { ran.withLock { $0 } == ["hour", "two hours"] }
    }

    func testWorkAlsoRunsInRealTimeOnce() {
        let timers = AdjustableTimers()
        let count = Mutex(0)
        timers.after(.milliseconds(20)) { count.withLock { $0 += 1 } }
        waitUntil("ran") { count.withLock { $0 } == 1 }
        timers.advance(by: 10)
        usleep(50_000)
        XCTAssertEqual(count.withLock { $0 }, 1)
    }

    func testNeverGoesBackwards() {
        let timers = AdjustableTimers()
        timers.advance(by: -100)
        XCTAssertEqual(timers.offset, 0)
    }
}
