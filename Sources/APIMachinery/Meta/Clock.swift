import Foundation

/// The source of "now" for everything that stamps or compares times, injected so tests control time.
public protocol Clock: Sendable {
    func now() -> Date
}

/// The wall clock.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
}
