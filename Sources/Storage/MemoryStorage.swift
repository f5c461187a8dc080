import APIMachinery
import Synchronization

/// The in-process backend: objects per resource in hash maps with a sorted index, a bounded history
/// of events for watchers resuming from a revision and for snapshot reads, all under one mutex so
/// revisions and events stay in order.
public final class MemoryStorage: Storage {
    struct State {
        var revision: Int64
        var buckets: [String: ResourceBucket] = [:]
        var history: EventHistory
        var listeners: [Int: @Sendable (StorageEvent) -> Void] = [:]
        var nextListener = 0
        /// Snapshots being paged through, by resource and revision (see MemoryStorage+Snapshot).
        var overlays: [SnapshotID: SnapshotOverlay] = [:]
    }

    struct SnapshotID: Hashable {
        let resource: String
        let revision: Int64
    }

    let state: Mutex<State>
    /// The revision as last seen by a write, read without the lock: a write encodes its object for
    /// the revision after it before taking the lock, so the lock is held only to check and insert;
    /// when another write took that revision meanwhile, it encodes again under the lock.
    private let revisionHint: Atomic<Int64>

    /// - Parameters:
    ///   - historyLimit: how many events are kept for watchers resuming from an older revision.
    ///   - historyBytes: how many bytes of events (encoded objects) are kept, whatever their count.
    ///   - initialRevision: where revisions continue from (a durable backend restores it).
    public init(historyLimit: Int = 100_000, historyBytes: Int = .max, initialRevision: Int64 = 1) {
        let history = EventHistory(capacity: historyLimit, byteLimit: historyBytes, startRevision: initialRevision)
        state = Mutex(State(revision: initialRevision, history: history))
        revisionHint = Atomic(initialRevision)
    }

    public var currentRevision: Int64 { state.withLock { $0.revision } }

    /// The history's window: events after `compactedRevision` are kept, `bytes` of them encoded.
    public var historyWindow: (compactedRevision: Int64, events: Int, bytes: Int) {
        state.withLock { ($0.history.compactedRevision, $0.history.count, $0.history.bytes) }
    }

    public func get(_ key: StorageKey) -> StoredObject? {
        state.withLock { $0.buckets[key.resource]?[key] }
    }

    public func list(resource: String, namespace: String?) -> (items: [StoredObject], revision: Int64) {
        state.withLock { s -> ([StoredObject], Int64) in
            guard let bucket = s.buckets[resource] else { return ([], s.revision) }
            return (Array(bucket.ordered[bucket.range(namespace: namespace, from: nil)]), s.revision)
        }
    }

    public func create(_ key: StorageKey, _ object: JSON) throws(StorageError) -> StoredObject {
        let prepared = prepare(object, key: key)
        return try state.withLock { (s: inout State) throws(StorageError) -> StoredObject in
            if s.buckets[key.resource]?[key] != nil { throw .alreadyExists(key) }
            let stored = prepared.revision == s.revision + 1 ? prepared : Self.store(object, key: key, revision: s.revision + 1)
            s.revision += 1
            revisionHint.store(s.revision, ordering: .relaxed)
            s.buckets[key.resource, default: ResourceBucket()].put(stored)
            Self.publish(StorageEvent(kind: .added, object: stored, previous: nil), in: &s)
            return stored
        }
    }

    public func update(_ key: StorageKey, expectedRevision: Int64?, _ object: JSON) throws(StorageError) -> StoredObject {
        let prepared = prepare(object, key: key)
        return try state.withLock { (s: inout State) throws(StorageError) -> StoredObject in
            guard let current = s.buckets[key.resource]?[key] else { throw .notFound(key) }
            if let expectedRevision, expectedRevision != current.revision {
                throw .conflict(key, currentRevision: current.revision)
            }
            let stored = prepared.revision == s.revision + 1 ? prepared : Self.store(object, key: key, revision: s.revision + 1)
            s.revision += 1
            revisionHint.store(s.revision, ordering: .relaxed)
            s.buckets[key.resource]!.put(stored)
            Self.publish(StorageEvent(kind: .modified, object: stored, previous: current), in: &s)
            return stored
        }
    }

    public func delete(_ key: StorageKey, expectedRevision: Int64?) throws(StorageError) -> StoredObject {
        try state.withLock { (s: inout State) throws(StorageError) -> StoredObject in
            guard let current = s.buckets[key.resource]?[key] else { throw .notFound(key) }
            if let expectedRevision, expectedRevision != current.revision {
                throw .conflict(key, currentRevision: current.revision)
            }
            s.revision += 1
            revisionHint.store(s.revision, ordering: .relaxed)
            s.buckets[key.resource]!.remove(key)
            let tombstone = Self.store(current.object, key: key, revision: s.revision)
            Self.publish(StorageEvent(kind: .deleted, object: tombstone, previous: current), in: &s)
            return tombstone
        }
    }

    public func events(after revision: Int64) throws(StorageError) -> [StorageEvent] {
        try state.withLock { (s: inout State) throws(StorageError) -> [StorageEvent] in try s.history.events(after: revision) }
    }

    @discardableResult
    public func addListener(_ listener: @escaping @Sendable (StorageEvent) -> Void) -> ListenerToken {
        state.withLock { s in
            s.nextListener += 1
            s.listeners[s.nextListener] = listener
            return ListenerToken(id: s.nextListener)
        }
    }

    public func removeListener(_ token: ListenerToken) {
        _ = state.withLock { $0.listeners.removeValue(forKey: token.id) }
    }

    /// The object stamped and encoded for the revision the next write most likely gets.
    private func prepare(_ object: JSON, key: StorageKey) -> StoredObject {
        Self.store(object, key: key, revision: revisionHint.load(ordering: .relaxed) + 1)
    }

    private static func store(_ object: JSON, key: StorageKey, revision: Int64) -> StoredObject {
        let stamped = object.stamped(revision: revision)
        return StoredObject(key: key, object: stamped, bytes: JSONWriter.encode(stamped), revision: revision)
    }

    private static func publish(_ event: StorageEvent, in s: inout State) {
        s.history.append(event)
        for listener in s.listeners.values { listener(event) }
    }
}
