import Foundation
import XCTest

/// Waits, polling, until `condition` holds or `timeout` passes; on timeout the test fails with
/// `what` at the caller's line. The poll only paces the checks (spinning the run loop when it has
/// sources, as URLSession and timers on it need); it orders nothing — a test that needs one thread
/// to go before another uses a `Barrier` or a `Gate`.
@discardableResult
public func waitUntil(_ what: String = "condition", timeout: TimeInterval = 10, poll: TimeInterval = 0.002,
                      file: StaticString = #filePath, line: UInt = #line, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return true }
        if Date() >= deadline { break }
        let tick = min(deadline, Date().addingTimeInterval(poll))
        if !RunLoop.current.run(mode: .default, before: tick) { Thread.sleep(until: tick) }
    }
    XCTFail("timed out after \(timeout)s waiting for \(what)", file: file, line: line)
    return false
}
