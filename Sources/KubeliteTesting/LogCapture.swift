import Foundation
import Logging

/// Collects what a `Logger` logs, for tests that check a message was logged, at which level, or
/// that it did not reach stderr raw. `logger(level:)` gives a logger writing here only (no global
/// `LoggingSystem` bootstrap, so tests running in parallel do not see each other's messages).
public final class LogCapture: @unchecked Sendable {
    public struct Record: Sendable {
        public var level: Logger.Level
        public var message: String
        public var label: String
        /// The logger's and the call's metadata, values as text.
        public var metadata: [String: String]
        /// The message with its metadata, as a text handler prints it.
        public var text: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
    }

    private let lock = NSLock()
    private var captured: [Record] = []

    public init() {}

    public func logger(label: String = "test", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { label in Handler(label: label, capture: self) }
        logger.logLevel = level
        return logger
    }

    public var records: [Record] {
        lock.lock(); defer { lock.unlock() }
        return captured
    }

    /// The records whose message contains `text`.
    public func records(containing text: String) -> [Record] {
        records.filter { $0.message.contains(text) }
    }

    /// Waits (polling, bounded) until a record containing `text` arrives; logs written by server
    /// threads land a moment after the client got its answer.
    public func wait(for text: String, timeout: TimeInterval = 5) -> Record? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let record = records(containing: text).first { return record }
            Thread.sleep(forTimeInterval: 0.01)
        } while Date() < deadline
        return nil
    }

    fileprivate func append(_ record: Record) {
        lock.lock(); captured.append(record); lock.unlock()
    }

    private struct Handler: LogHandler {
        let label: String
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(Record(level: event.level, message: event.message.description, label: label,
                                  metadata: all.mapValues { "\($0)" }))
        }
    }
}
