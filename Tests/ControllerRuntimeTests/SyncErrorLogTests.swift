import ControllerRuntime
import Foundation
import KubeliteTesting
import Logging
import XCTest

/// The one place a controller's sync runs: failures are logged with the controller and the key,
/// and retried rate-limited until a sync succeeds, which forgets the key's failures.
final class SyncErrorLogTests: XCTestCase {
    struct Conflict: Error, CustomStringConvertible { var description: String { "the object has been modified" } }

    /// Counts a key's sync attempts and fails the first `failures` of them.
    final class FlakySync: @unchecked Sendable {
        private let lock = NSLock()
        private var attempts = 0
        let failures: Int
        init(failures: Int) { self.failures = failures }
        var count: Int { lock.withLock { attempts } }
        func attempt() -> Bool { lock.withLock { attempts += 1; return attempts > failures } }
    }

    func testAFailingSyncIsLoggedWithItsKeyAndRequeuedUntilItSucceeds() {
        let timers = ManualTimers()
        let log = LogCapture()
        let queue = WorkQueue<String>(name: "statefulset", timers: timers)
        let sync = FlakySync(failures: 2)
        queue.run(workers: 1, logger: log.logger()) { _ in if !sync.attempt() { throw Conflict() } }
        queue.add("default/web")

        waitUntil("the first failure") { sync.count == 1 && queue.isIdle }
        XCTAssertEqual(queue.numRequeues("default/web"), 1)
        let first = try? XCTUnwrap(log.records.first)
        XCTAssertEqual(first?.level, .error)
        XCTAssertEqual(first?.metadata["key"], "default/web")
        XCTAssertEqual(first?.metadata["controller"], "statefulset")
        XCTAssertTrue(first?.text.contains("default/web") == true, first?.text ?? "")
        XCTAssertTrue(first?.text.contains("the object has been modified") == true, first?.text ?? "")

        timers.advance(by: .milliseconds(5))
        waitUntil("the second failure") { sync.count == 2 && queue.isIdle }
        XCTAssertEqual(log.records.last?.metadata["requeues"], "1")
        timers.advance(by: .milliseconds(10))
        waitUntil("the retry that succeeds") { sync.count == 3 && queue.isIdle }
        XCTAssertEqual(queue.numRequeues("default/web"), 0, "a success forgets the failures")
        XCTAssertEqual(log.records.count, 2)
    }

    func testAnIncompleteReconcileIsAWarningAndRetried() {
        let timers = ManualTimers()
        let log = LogCapture()
        let queue = WorkQueue<String>(name: "endpoint-controller", timers: timers)
        let sync = FlakySync(failures: 1)
        queue.run(workers: 1, logger: log.logger(), reconcile: { _ in sync.attempt() })
        queue.add("default/kubernetes")
        waitUntil("the incomplete sync") { sync.count == 1 && queue.isIdle }
        XCTAssertEqual(log.records.map(\.level), [.warning])
        XCTAssertEqual(log.records.first?.metadata["key"], "default/kubernetes")
        XCTAssertEqual(log.records.first?.metadata["controller"], "endpoint-controller")
        timers.advance(by: .milliseconds(5))
        waitUntil("the retry") { sync.count == 2 && queue.isIdle }
        XCTAssertEqual(queue.numRequeues("default/kubernetes"), 0)
    }
}
