@testable import ControllerRuntime
import Foundation
import KubeliteTesting
import XCTest

final class WorkQueueTests: XCTestCase {
    /// Records processed keys; lets a test hold a key "in processing" until released.
    final class Recorder: @unchecked Sendable {
        let lock = NSLock()
        var processed: [String] = []
        var concurrent: [String: Int] = [:]
        var maxConcurrentPerKey = 0
        let gate = Gate()
        var holdKey: String?

        func process(_ key: String) {
            lock.lock()
            concurrent[key, default: 0] += 1
            maxConcurrentPerKey = max(maxConcurrentPerKey, concurrent[key]!)
            let hold = holdKey == key
            if hold { holdKey = nil }
            lock.unlock()
            if hold { gate.pass() }
            lock.lock()
            processed.append(key)
            concurrent[key]! -= 1
            lock.unlock()
        }
        var snapshot: [String] { lock.lock(); defer { lock.unlock() }; return processed }
    }

    func testKeysInOrderAndAddsCollapse() {
        let queue = WorkQueue<String>(name: "t", timers: ManualTimers())
        for k in ["a", "b", "a", "c", "b"] { queue.add(k) }
        XCTAssertEqual(queue.length, 3)
        let r = Recorder()
        queue.run(workers: 1) { r.process($0) }
        waitUntil { queue.isIdle }
        XCTAssertEqual(r.snapshot, ["a", "b", "c"])
    }

    func testAKeyIsNeverProcessedTwiceAtOnceAndReAddsRunAfter() {
        let queue = WorkQueue<String>(name: "t", timers: ManualTimers())
        let r = Recorder()
        r.holdKey = "a"
        queue.run(workers: 4) { r.process($0) }
        queue.add("a")
        XCTAssertTrue(r.gate.waitForArrival(), "a held in processing")
        queue.add("a")  // while "a" is processing: must wait, then run again
        queue.add("b")
        waitUntil { r.snapshot.contains("b") }
        XCTAssertFalse(r.snapshot.contains("a"))
        r.gate.open()
        waitUntil { r.snapshot.filter { $0 == "a" }.count == 2 }
        waitUntil { queue.isIdle }
        XCTAssertEqual(r.maxConcurrentPerKey, 1)
    }

    func testRateLimitedRequeueBacksOffExponentiallyUntilForgotten() {
        let timers = ManualTimers()
        let queue = WorkQueue<String>(name: "t", timers: timers, baseDelay: .milliseconds(10), maxDelay: .seconds(1))
        let r = Recorder()
        queue.run(workers: 1) { r.process($0) }
        queue.addRateLimited("a")  // 10 ms
        timers.advance(by: .milliseconds(9))
        XCTAssertTrue(r.snapshot.isEmpty)
        timers.advance(by: .milliseconds(1))
        waitUntil { r.snapshot == ["a"] }
        queue.addRateLimited("a")  // 20 ms
        timers.advance(by: .milliseconds(19))
        waitUntil { queue.isIdle }
        XCTAssertEqual(r.snapshot, ["a"])
        timers.advance(by: .milliseconds(1))
        waitUntil { r.snapshot == ["a", "a"] }
        XCTAssertEqual(queue.numRequeues("a"), 2)
        queue.forget("a")
        XCTAssertEqual(queue.numRequeues("a"), 0)
        XCTAssertEqual(queue.backoff(failures: 30), .seconds(1))
    }
}
