import APIMachinery
import Foundation

/// The durable backend: a `MemoryStorage` serves every read and fans changes out, and `DIR/kubelite.db`
/// (see `SQLiteLog`) is the log that makes writes survive restarts, crashes and power cuts.
///
/// A write is validated (compare-and-swap) and given its revision under the sequencer lock, against
/// the committed state plus the writes still waiting for their commit, then queued for the committer
/// thread; it returns only once its row is committed and fsync'd and the memory backend has applied
/// and published it. The committer drains the whole queue into one transaction (group commit: one
/// fsync for every writer waiting), so watchers only ever see durable changes, in revision order.
///
/// A failed commit (disk full, I/O error) fails every write of the batch and every write queued behind
/// it (they were validated against it) with `.unavailable`; none is applied, reads go on, and the
/// next write tries again. Revisions handed to failed writes are skipped, never reused: an fsync that
/// reported failure may still have reached the disk.
public final class SQLiteStorage: WatchCacheReads, @unchecked Sendable {
    /// A key's newest state among the writes not committed yet (nil object: deleted).
    struct Pending {
        let object: StoredObject?
        let revision: Int64
    }

    struct Write {
        let event: StorageEvent
        let row: LogRow
        let ticket: CommitTicket
    }

    public let memory: MemoryStorage
    let log: SQLiteLog
    let historyLimit: Int
    let historyBytes: Int
    let compactionInterval: Duration
    /// What the log holds of each value (encryption at rest), or nil: the plaintext.
    let transformer: (any StorageValueTransformer)?
    /// Guards everything below, and wakes the committer.
    let sequencer = NSCondition()
    /// The newest revision handed out (committed or not).
    var assignedRevision: Int64
    var pending: [StorageKey: Pending] = [:]
    var queue: [Write] = []
    var jobs: [(SQLiteLog) -> Void] = []
    var stopped = false
    /// Bytes committed since the last compaction; owned by the committer thread.
    var bytesSinceCompaction = 0
    /// Every write sequenced at or below this revision is committed or has failed; guarded by, and
    /// broadcast on, `settled`.
    var settledRevision: Int64
    /// Revisions of writes whose commit failed (rare: a full or failing disk); guarded by `settled`.
    var failedRevisions: [ClosedRange<Int64>] = []
    let settled = NSCondition()
    let committerDone = DispatchSemaphore(value: 0)

    /// The database file, `DIR/kubelite.db`.
    public var databasePath: String { log.path }

    /// Opens (or creates) the store in `directory`, loads its objects and recent history, and starts
    /// the committer.
    /// - Parameters:
    ///   - historyLimit: changes kept, in memory and on disk, for watchers resuming from a revision
    ///     (also across a restart).
    ///   - historyBytes: bytes of changes (encoded objects) kept, whatever their count.
    ///   - compactionInterval: how often the log is compacted down to that history; it is also
    ///     compacted as soon as `historyBytes` more have been written since the last compaction.
    ///   - transformer: turns values into what the log holds and back (encryption at rest); a row it
    ///     cannot read back stops the open, so nothing is served without it.
    public init(directory: String, historyLimit: Int = 100_000, historyBytes: Int = .max,
                compactionInterval: Duration = .seconds(300),
                transformer: (any StorageValueTransformer)? = nil) throws(SQLiteOpenError) {
        log = try SQLiteLog(directory: directory)
        self.historyLimit = historyLimit
        self.historyBytes = historyBytes
        self.compactionInterval = compactionInterval
        self.transformer = transformer
        do {
            memory = try Self.load(log, historyLimit: historyLimit, historyBytes: historyBytes, transformer: transformer)
        } catch let error as SQLiteError {
            log.close()
            throw SQLiteOpenError.from(error, path: log.path)
        } catch let error as SQLiteOpenError {
            log.close()
            throw error
        } catch {
            log.close()
            throw SQLiteOpenError("\(log.path) is corrupt: \(error)")
        }
        assignedRevision = memory.currentRevision
        settledRevision = memory.currentRevision
        startCommitter()
    }

    /// Stops the committer once the queued writes are committed, and closes the database.
    public func close() {
        sequencer.lock()
        let wasStopped = stopped
        stopped = true
        sequencer.signal()
        sequencer.unlock()
        if !wasStopped {
            committerDone.wait()
            log.close()
        }
    }

    // MARK: reads, served by the memory backend (WatchCacheReads)

    /// Writes return after their group commit's fsync.
    public var isDurable: Bool { true }

    /// The committed state, or the newest write still waiting for its commit (see `Storage.latest`).
    public func latest(_ key: StorageKey) -> LatestState {
        sequencer.lock()
        defer { sequencer.unlock() }
        if let newest = pending[key] { return LatestState(object: newest.object, uncommitted: newest.revision) }
        return LatestState(object: memory.get(key), uncommitted: nil)
    }

    public func awaitCommit(_ revision: Int64) -> Bool {
        settled.lock()
        defer { settled.unlock() }
        while settledRevision < revision { settled.wait() }
        return !failedRevisions.contains { $0.contains(revision) }
    }




    // MARK: writes

    public func create(_ key: StorageKey, _ object: JSON) throws(StorageError) -> StoredObject {
        try write(key) { (current, revision) throws(StorageError) in
            if current != nil { throw .alreadyExists(key) }
            let stored = Self.store(object, key: key, revision: revision)
            return StorageEvent(kind: .added, object: stored, previous: nil)
        }
    }

    public func update(_ key: StorageKey, expectedRevision: Int64?, _ object: JSON) throws(StorageError) -> StoredObject {
        try write(key) { (current, revision) throws(StorageError) in
            guard let current else { throw .notFound(key) }
            if let expectedRevision, expectedRevision != current.revision {
                throw .conflict(key, currentRevision: current.revision)
            }
            return StorageEvent(kind: .modified, object: Self.store(object, key: key, revision: revision), previous: current)
        }
    }

    public func delete(_ key: StorageKey, expectedRevision: Int64?) throws(StorageError) -> StoredObject {
        try write(key) { (current, revision) throws(StorageError) in
            guard let current else { throw .notFound(key) }
            if let expectedRevision, expectedRevision != current.revision {
                throw .conflict(key, currentRevision: current.revision)
            }
            return StorageEvent(kind: .deleted, object: Self.store(current.object, key: key, revision: revision), previous: current)
        }
    }

    /// Validates and sequences one write under the sequencer lock (`change` gets the key's newest
    /// state, pending writes included, and the revision to use), queues it, and waits for its commit.
    private func write(_ key: StorageKey,
                       _ change: (StoredObject?, Int64) throws(StorageError) -> StorageEvent) throws(StorageError) -> StoredObject {
        sequencer.lock()
        if stopped {
            sequencer.unlock()
            throw .unavailable("storage is shut down")
        }
        let current: StoredObject?
        if let newest = pending[key] { current = newest.object } else { current = memory.get(key) }
        let event: StorageEvent
        let value: [UInt8]
        do {
            event = try change(current, assignedRevision + 1)
            value = try atRest(event.object)
        } catch {
            sequencer.unlock()
            throw error
        }
        assignedRevision += 1
        pending[key] = Pending(object: event.kind == .deleted ? nil : event.object, revision: event.revision)
        let row = LogRow(revision: event.revision, key: key, created: event.kind == .added, deleted: event.kind == .deleted,
                         prevRevision: event.previous?.revision ?? 0, value: value)
        let ticket = CommitTicket()
        queue.append(Write(event: event, row: row, ticket: ticket))
        sequencer.signal()
        sequencer.unlock()
        try ticket.wait()
        return event.object
    }

    /// The bytes the log holds for `object`: its JSON, or what the transformer makes of it.
    private func atRest(_ object: StoredObject) throws(StorageError) -> [UInt8] {
        guard let transformer else { return object.bytes }
        do {
            return try transformer.toStorage(object.bytes, key: object.key)
        } catch {
            throw .unavailable("failed to encrypt \(object.key): \(error.message)")
        }
    }

    private static func store(_ object: JSON, key: StorageKey, revision: Int64) -> StoredObject {
        let stamped = object.stamped(revision: revision)
        return StoredObject(key: key, object: stamped, bytes: JSONWriter.encode(stamped), revision: revision)
    }
}

/// One queued write's outcome, handed from the committer to the waiting writer.
final class CommitTicket: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var failure: StorageError?

    func complete(_ failure: StorageError?) {
        self.failure = failure
        done.signal()
    }

    func wait() throws(StorageError) {
        done.wait()
        if let failure { throw failure }
    }
}
