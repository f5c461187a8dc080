import Foundation

/// Holds threads at a point in code under test until the test opens it: code calls `pass()` where
/// it should stop; the test waits with `waitForArrival` to know a thread is held there, acts, then
/// calls `open()`. Once open, `pass()` no longer blocks.
public final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var isOpen = false
    private var arrivals = 0

    public init() {}

    /// Blocks the calling thread until the gate opens (at most `timeout`, so a failing test does
    /// not hang); counts the arrival first.
    public func pass(timeout: TimeInterval = 10) {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock(); defer { condition.unlock() }
        arrivals += 1
        condition.broadcast()
        while !isOpen { if !condition.wait(until: deadline) { return } }
    }

    /// Blocks until `count` threads have arrived at the gate; false if `timeout` passed first.
    @discardableResult
    public func waitForArrival(count: Int = 1, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock(); defer { condition.unlock() }
        while arrivals < count { if !condition.wait(until: deadline) { return arrivals >= count } }
        return true
    }

    /// Lets every held thread, and every later one, through.
    public func open() {
        condition.lock(); isOpen = true; condition.broadcast(); condition.unlock()
    }
}
