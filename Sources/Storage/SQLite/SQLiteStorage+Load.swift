import APIMachinery
import Dispatch
import Synchronization

/// Startup: rebuilding the memory backend from the log.
///
/// Rows at or below the compacted revision are the state there; every later row is replayed as an
/// event into the history. The memory backend keeps each resource's objects in key order, where an
/// insertion moves every object after it: fed in revision order (random key order), 100,000 rows cost
/// seconds of moves. So the final state is restored first, in key order (each insertion lands at the
/// end), and the events after the compacted revision only fill the watch history: applied one by
/// one they would leave the same final state. Rows are only checked to be JSON
/// (decrypted first where a transformer is configured), on every core while the log is read; each
/// object's tree is built when something first reads it, after the API is serving.
extension SQLiteStorage {
    static func load(_ log: SQLiteLog, historyLimit: Int, historyBytes: Int,
                     transformer: (any StorageValueTransformer)?) throws -> MemoryStorage {
        let (rows, objects, unreadable) = try readAndParse(log, transformer: transformer)

        // Row positions by key, then revision (rows come in revision order): one sort instead of a
        // dictionary of states, which costs a hash of three strings per row and per lookup.
        let byKey = rows.indices.sorted { a, b in
            let (x, y) = (rows[a].key, rows[b].key)
            return x == y ? a < b : x < y
        }
        // The row each change supersedes and the row superseding it (-1: none), and each key's final row.
        var previous = [Int](repeating: -1, count: rows.count)
        var next = [Int](repeating: -1, count: rows.count)
        var finalRows: [Int] = []
        var position = 0
        while position < byKey.count {
            var last = -1
            let key = rows[byKey[position]].key
            while position < byKey.count, rows[byKey[position]].key == key {
                let row = byKey[position]
                previous[row] = last
                if last >= 0 { next[last] = row }
                last = row
                position += 1
            }
            finalRows.append(last)
        }

        // A row the transformer cannot read back (written under a key or provider no longer configured)
        // is fatal where it is a key's state: serving without it would lose it. Superseded, it is only
        // history: the history then starts after the change that superseded it, as if compacted there.
        var compacted = try log.compactRevision()
        for (index, reason) in unreadable {
            let row = rows[index]
            if next[index] < 0, !row.deleted {
                throw SQLiteOpenError("\(log.path): the row at revision \(row.revision) (\(row.key)) cannot be read back: \(reason)")
            }
            compacted = max(compacted, next[index] >= 0 ? rows[next[index]].revision : row.revision)
        }

        let memory = MemoryStorage(historyLimit: historyLimit, historyBytes: historyBytes, initialRevision: compacted)
        for last in finalRows where !rows[last].deleted {
            if let object = objects[last] { memory.restore(object) }
        }

        var events: [StorageEvent] = []
        events.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() where row.revision > compacted {
            guard let object = objects[index] else { continue }
            let before = previous[index] >= 0 && !rows[previous[index]].deleted ? objects[previous[index]] : nil
            let kind: StorageEvent.Kind = row.deleted ? .deleted : (before == nil ? .added : .modified)
            events.append(StorageEvent(kind: kind, object: object, previous: before))
        }
        memory.restoreHistory(events)
        return memory
    }

    /// Every row, and its value as a stored object (nil where the transformer could not read it back,
    /// with the reason by row position): chunks of rows are checked on every core while the next ones
    /// are read. Fails on the first row (in log order) that is not JSON.
    private static func readAndParse(_ log: SQLiteLog,
                                     transformer: (any StorageValueTransformer)?) throws
        -> (rows: [LogRow], objects: [StoredObject?], unreadable: [Int: String]) {
        let chunkSize = 2_048
        let results = Mutex<[Int: Result<ParsedChunk, SQLiteOpenError>]>([:])
        let parsing = DispatchGroup()
        let path = log.path
        var rows: [LogRow] = []
        var chunks = 0
        // Each chunk is copied out: a slice would share the rows' buffer and make the next append copy it all.
        func dispatch(_ chunk: [LogRow]) {
            let index = chunks
            chunks += 1
            DispatchQueue.global().async(group: parsing) {
                let parsed = parse(chunk, path: path, transformer: transformer)
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
        var objects: [StoredObject?] = []
        var unreadable: [Int: String] = [:]
        objects.reserveCapacity(rows.count)
        for chunk in 0..<chunks {
            let result = try parsed[chunk]!.get()
            for (offset, reason) in result.unreadable { unreadable[objects.count + offset] = reason }
            objects += result.objects
        }
        return (rows, objects, unreadable)
    }

    private static func parse(_ rows: [LogRow], path: String,
                              transformer: (any StorageValueTransformer)?) -> Result<ParsedChunk, SQLiteOpenError> {
        var parsed: [StoredObject?] = []
        var unreadable: [Int: String] = [:]
        parsed.reserveCapacity(rows.count)
        for (offset, row) in rows.enumerated() {
            var plaintext = row.value
            if let transformer {
                do {
                    plaintext = try transformer.fromStorage(row.value, key: row.key)
                } catch {
                    unreadable[offset] = error.message
                    parsed.append(nil)
                    continue
                }
            }
            do {
                try JSONValidator.validate(plaintext)
                parsed.append(StoredObject(key: row.key, validatedBytes: plaintext, revision: row.revision))
            } catch {
                return .failure(SQLiteOpenError("\(path) is corrupt: the row at revision \(row.revision) (\(row.key)) is not JSON: \(error)"))
            }
        }
        return .success(ParsedChunk(objects: parsed, unreadable: unreadable))
    }

    private struct ParsedChunk: Sendable {
        let objects: [StoredObject?]
        let unreadable: [Int: String]
    }
}
