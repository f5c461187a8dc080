import APIMachinery
import Dispatch
import Synchronization

/// Startup: rebuilding the memory backend from the log.
///
/// Rows at or below the compacted revision are the state there; every later row is replayed as an
/// event into the history. The memory backend keeps each resource's objects in key order, where an
/// insertion moves every object after it: fed in revision order (random key order), 100,000 rows cost
/// seconds of moves. So the final state is restored first, in key order (each insertion lands at the
/// end), and the events are applied afterwards: each then replaces its key's object in place, and
/// the last event of every key leaves the state the log ends with. Parsing, the other large cost, is
/// spread over every core while the log is read.
extension SQLiteStorage {
    static func load(_ log: SQLiteLog, historyLimit: Int, historyBytes: Int) throws -> MemoryStorage {
        let compacted = try log.compactRevision()
        let (rows, objects) = try readAndParse(log)

        // Row positions by key, then revision (rows come in revision order): one sort instead of a
        // dictionary of states, which costs a hash of three strings per row and per lookup.
        let byKey = rows.indices.sorted { a, b in
            let (x, y) = (rows[a].key, rows[b].key)
            return x == y ? a < b : x < y
        }
        let memory = MemoryStorage(historyLimit: historyLimit, historyBytes: historyBytes, initialRevision: compacted)
        // The row each change supersedes (-1: none, the key was absent), and the log's final state
        // restored in key order.
        var previous = [Int](repeating: -1, count: rows.count)
        var position = 0
        while position < byKey.count {
            var last = -1
            let key = rows[byKey[position]].key
            while position < byKey.count, rows[byKey[position]].key == key {
                let row = byKey[position]
                previous[row] = last
                last = rows[row].deleted ? -1 : row
                position += 1
            }
            if last >= 0 { memory.restore(objects[last]) }
        }

        var events: [StorageEvent] = []
        events.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() where row.revision > compacted {
            let before = previous[index] >= 0 ? objects[previous[index]] : nil
            let kind: StorageEvent.Kind = row.deleted ? .deleted : (before == nil ? .added : .modified)
            events.append(StorageEvent(kind: kind, object: objects[index], previous: before))
        }
        memory.apply(events)
        return memory
    }

    /// Every row, and its value as a stored object: chunks of rows are parsed on every core while
    /// the next ones are read. Fails on the first row (in log order) that is not JSON.
    private static func readAndParse(_ log: SQLiteLog) throws -> (rows: [LogRow], objects: [StoredObject]) {
        let chunkSize = 2_048
        let results = Mutex<[Int: Result<[StoredObject], SQLiteOpenError>]>([:])
        let parsing = DispatchGroup()
        let path = log.path
        var rows: [LogRow] = []
        var chunks = 0
        // Each chunk is copied out: a slice would share the rows' buffer and make the next append copy it all.
        func dispatch(_ chunk: [LogRow]) {
            let index = chunks
            chunks += 1
            DispatchQueue.global().async(group: parsing) {
                let parsed = parse(chunk, path: path)
                results.withLock { $0[index] = parsed }
            }
        }
        try log.replay { row in
            rows.append(row)
            if rows.count % chunkSize == 0 { dispatch(Array(rows[(rows.count - chunkSize)...])) }
        }
        if rows.count % chunkSize != 0 { dispatch(Array(rows[(rows.count - rows.count % chunkSize)...])) }
        parsing.wait()
        let parsed = results.withLock { $0 }
        var objects: [StoredObject] = []
        objects.reserveCapacity(rows.count)
        for chunk in 0..<chunks { objects += try parsed[chunk]!.get() }
        return (rows, objects)
    }

    private static func parse(_ rows: [LogRow], path: String) -> Result<[StoredObject], SQLiteOpenError> {
        var parsed: [StoredObject] = []
        parsed.reserveCapacity(rows.count)
        for row in rows {
            do {
                let object = try JSONParser.parse(row.value).value
                parsed.append(StoredObject(key: row.key, object: object, bytes: row.value, revision: row.revision))
            } catch {
                return .failure(SQLiteOpenError("\(path) is corrupt: the row at revision \(row.revision) (\(row.key)) is not JSON: \(error)"))
            }
        }
        return .success(parsed)
    }
}
