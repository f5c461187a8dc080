import Foundation
@testable import Storage
import XCTest

final class SerialWorkerTests: XCTestCase {
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Int] = []
        func append(_ value: Int) { lock.withLock { values.append(value) } }
        var all: [Int] { lock.withLock { values } }
    }

    /// Jobs queued while the worker lingers after a batch (not signalled) still run, in order.
    func testJobsQueuedWhileLingeringRunInOrder() {
        let worker = SerialWorker(name: "test.serial", linger: 0.005)
        defer { worker.stop() }
        let log = Log()
        for burst in 0..<20 {
            for i in 0..<50 { worker.async { log.append(burst * 50 + i) } }
            if burst % 5 == 0 { Thread.sleep(forTimeInterval: 0.002) }
        }
        worker.sync { () }
        XCTAssertEqual(log.all, Array(0..<1000))
    }

    /// After a quiet spell the worker sleeps until signalled, so a lone job runs at once rather
    /// than at the next tick.
    func testALoneJobAfterAQuietSpellRunsPromptly() {
        let worker = SerialWorker(name: "test.serial", tickInterval: 10, linger: 0.001)
        defer { worker.stop() }
        worker.sync { () }
        Thread.sleep(forTimeInterval: 0.05)
        let ran = DispatchSemaphore(value: 0)
        let start = ContinuousClock.now
        worker.async { ran.signal() }
        XCTAssertEqual(ran.wait(timeout: .now() + 5), .success)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
    }
}
