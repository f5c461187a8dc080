import APIMachinery
import Foundation
import Storage
import XCTest

/// A watch consumer that records what the hub hands it, for tests to wait on with a deadline.
final class RecordingConsumer: WatchConsumer, @unchecked Sendable {
    enum Seen: Equatable, CustomStringConvertible {
        case event(type: String, name: String, revision: Int64)
        case bookmark(revision: Int64, initialEventsEnd: Bool)
        case failed(WatchFailure)
        case finished

        var description: String {
            switch self {
            case .event(let type, let name, let revision): return "\(type) \(name)@\(revision)"
            case .bookmark(let revision, let end): return "BOOKMARK@\(revision)\(end ? " end" : "")"
            case .failed(let failure): return "failed \(failure)"
            case .finished: return "finished"
            }
        }
    }

    private let condition = NSCondition()
    private var seen: [Seen] = []
    private var objects: [StoredObject] = []
    /// The consumer answers false (it is done) once it has taken this many events.
    private let acceptLimit: Int

    init(acceptLimit: Int = .max) { self.acceptLimit = acceptLimit }

    func receive(_ event: WatchEvent) -> Bool {
        record(.event(type: event.typeName, name: event.object.key.name, revision: event.object.revision), object: event.object)
        return condition.withLock { objects.count < acceptLimit }
    }

    func bookmark(revision: Int64, initialEventsEnd: Bool) -> Bool {
        record(.bookmark(revision: revision, initialEventsEnd: initialEventsEnd))
        return true
    }

    func fail(_ failure: WatchFailure) { record(.failed(failure)) }
    func finish() { record(.finished) }

    private func record(_ item: Seen, object: StoredObject? = nil) {
        condition.withLock {
            seen.append(item)
            if let object { objects.append(object) }
            condition.broadcast()
        }
    }

    var all: [Seen] { condition.withLock { seen } }
    var events: [Seen] { all.filter { if case .event = $0 { return true } else { return false } } }
    var eventObjects: [StoredObject] { condition.withLock { objects } }

    /// Waits until `predicate` holds for what was seen, failing the test after `timeout` seconds.
    @discardableResult
    func wait(_ what: String, timeout: TimeInterval = 5, file: StaticString = #filePath, line: UInt = #line,
              until predicate: ([Seen]) -> Bool) -> [Seen] {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !predicate(seen) {
            if !condition.wait(until: deadline) {
                if predicate(seen) { break }
                XCTFail("timed out after \(timeout)s waiting for \(what); saw \(seen)", file: file, line: line)
                return seen
            }
        }
        return seen
    }

    /// Waits for at least `count` object events and returns them.
    @discardableResult
    func waitForEvents(_ count: Int, timeout: TimeInterval = 5, file: StaticString = #filePath, line: UInt = #line) -> [Seen] {
        wait("\(count) events", timeout: timeout, file: file, line: line) { seen in
            seen.filter { if case .event = $0 { return true } else { return false } }.count >= count
        }
        return events
    }
}

extension StorageKey {
    static func configMap(_ name: String, namespace: String = "default") -> StorageKey {
        StorageKey(resource: "configmaps", namespace: namespace, name: name)
    }
}

func configMap(_ name: String, labels: JSONObject = [:], data: JSONObject = ["k": "v"]) -> JSON {
    var metadata: JSONObject = ["name": .string(name)]
    if !labels.isEmpty { metadata["labels"] = .object(labels) }
    return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": .object(metadata), "data": .object(data)]
}
