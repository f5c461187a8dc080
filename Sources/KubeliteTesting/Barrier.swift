import Foundation

/// A one-shot latch: threads `wait` until some thread calls `signal`, and every wait after that
/// returns at once. Orders threads by an event ("the first write is pending") instead of a sleep.
public final class Barrier: @unchecked Sendable {
    private let condition = NSCondition()
    private var signaled = false

    public init() {}

    /// Opens the barrier for every waiter, present and future.
    public func signal() {
        condition.lock(); signaled = true; condition.broadcast(); condition.unlock()
    }

    /// Blocks until signalled; false if `timeout` passed first.
    @discardableResult
    public func wait(timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock(); defer { condition.unlock() }
        while !signaled { if !condition.wait(until: deadline) { return signaled } }
        return true
    }

    public var isSignaled: Bool { condition.lock(); defer { condition.unlock() }; return signaled }
}
