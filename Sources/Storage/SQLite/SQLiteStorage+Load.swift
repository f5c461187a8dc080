import APIMachinery
import Dispatch

/// Startup: rebuilding the memory backend from the log.
///
/// Rows at or below the compacted revision are the state there; every later row is replayed as an
/// event into the history. The memory backend keeps each resource's objects in key order, where an
/// insertion moves every object after it: fed in revision order (random key order), 100,000 rows cost
/// seconds of moves. So the final state is restored first, in key order (each insertion lands at the
/// end), and the events are applied afterwards: each then replaces its key's object in place, and
/// the last event of every key leaves the state the log ends with. Parsing, the other large cost, is
/// spread over every core.
extension SQLiteStorage {
    static func load(_ log: SQLiteLog, historyLimit: Int) throws -> MemoryStorage {
        let compacted = try log.compactRevision()
        var rows: [LogRow] = []
        try log.replay { rows.append($0) }
        let objects = try parse(rows, path: log.path)

        var final: [StorageKey: StoredObject] = [:]
        final.reserveCapacity(rows.count)
        for (row, object) in zip(rows, objects) {
            if row.deleted { final[row.key] = nil } else { final[row.key] = object }
        }
        let memory = MemoryStorage(historyLimit: historyLimit, initialRevision: compacted)
        for key in final.keys.sorted() { memory.restore(final[key]!) }
        final = [:]

        var state: [StorageKey: StoredObject] = [:]
        var events: [StorageEvent] = []
        for (row, object) in zip(rows, objects) {
            if row.revision <= compacted {
                if !row.deleted { state[row.key] = object }
                continue
            }
            let previous = state[row.key]
            let kind: StorageEvent.Kind = row.deleted ? .deleted : (previous == nil ? .added : .modified)
            events.append(StorageEvent(kind: kind, object: object, previous: previous))
            state[row.key] = row.deleted ? nil : object
        }
        memory.apply(events)
        return memory
    }

    /// Every row's value as a stored object, parsed on every core; fails on the first row (in log
    /// order) that is not JSON.
    private static func parse(_ rows: [LogRow], path: String) throws -> [StoredObject] {
        let chunkSize = 2_048
        let chunks = (rows.count + chunkSize - 1) / chunkSize
        let results = ParseResults(count: chunks)
        rows.withUnsafeBufferPointer { all in
            nonisolated(unsafe) let all = all
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let range = chunk * chunkSize..<min(all.count, (chunk + 1) * chunkSize)
                var parsed: [StoredObject] = []
                parsed.reserveCapacity(range.count)
                for row in all[range] {
                    do {
                        let object = try JSONParser.parse(row.value).value
                        parsed.append(StoredObject(key: row.key, object: object, bytes: row.value, revision: row.revision))
                    } catch {
                        results.set(chunk, .failure(SQLiteOpenError("\(path) is corrupt: the row at revision \(row.revision) (\(row.key)) is not JSON: \(error)")))
                        return
                    }
                }
                results.set(chunk, .success(parsed))
            }
        }
        var objects: [StoredObject] = []
        objects.reserveCapacity(rows.count)
        for chunk in 0..<chunks { objects += try results.get(chunk).get() }
        return objects
    }
}

/// One slot per chunk, each written by exactly one `concurrentPerform` iteration.
private final class ParseResults: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Result<[StoredObject], SQLiteOpenError>?>
    private let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    func set(_ index: Int, _ result: Result<[StoredObject], SQLiteOpenError>) { slots[index] = result }
    func get(_ index: Int) -> Result<[StoredObject], SQLiteOpenError> { slots[index]! }
}
