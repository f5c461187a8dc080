import APIMachinery

/// A revisioned key/value store of API objects with one global, strictly increasing revision
/// (the resourceVersion), compare-and-swap writes and an ordered change log: the contract the
/// in-memory backend, the durable backend and the watch machinery share (as kine's backend interface).
///
/// Writers stamp `metadata.resourceVersion` into the stored JSON, so a GET can send `bytes` as they are.
public protocol Storage: AnyObject, Sendable {
    /// The revision of the newest write.
    var currentRevision: Int64 { get }

    /// Whether a write returns only once it is on disk (and so waits, possibly for a group commit):
    /// callers may then run writes on threads of their own rather than on a few shared ones.
    var isDurable: Bool { get }

    func get(_ key: StorageKey) -> StoredObject?

    /// The key's newest state as the next compare-and-swap write on it is checked (upstream's
    /// GuaranteedUpdate retries against the freshest state): a backend that commits in groups includes
    /// writes sequenced but not yet committed, and names the revision of such a write in
    /// `uncommitted`. An update queued behind that write is committed after it or fails with it; an
    /// answer made from that state alone (a no-op, a not-found) must first `awaitCommit` it.
    func latest(_ key: StorageKey) -> LatestState

    /// Blocks until the write sequenced at `revision` is committed (true) or has failed (false).
    func awaitCommit(_ revision: Int64) -> Bool

    /// nil while the backend can take writes; otherwise why not (kube-apiserver's `etcd` readyz check).
    var healthProblem: String? { get }

    /// Whether a consistent read (resourceVersion "") must first confirm with the backend that the
    /// watch cache is current (`whenConsistent`): false when the cache is fed by this process's own
    /// commits (memory, SQLite), so it is current whenever a read starts.
    var confirmsConsistentReads: Bool { get }

    /// Calls `then` (nil) once the cache holds every write the backend acknowledged before this call,
    /// so a read of the cache's newest state is consistent (upstream's consistent read from the watch
    /// cache); or with why not (the backend unreachable, the cache not caught up in time). `then` may
    /// run on another thread; nothing blocks meanwhile.
    func whenConsistent(_ then: @escaping @Sendable (StorageError?) -> Void)

    /// Objects of a resource, optionally in one namespace, sorted by namespace and name, with the
    /// revision the snapshot was taken at.
    func list(resource: String, namespace: String?) -> (items: [StoredObject], revision: Int64)

    /// One page of a resource's objects as they were at `request.revision` (the newest when nil), in
    /// list order; fails with `.compacted` when that revision has left the event history. Successive
    /// pages read at the first page's revision form one consistent list while writers go on.
    func list(_ request: ListRequest) throws(StorageError) -> ListPage

    /// Blocks until the store's revision is at least `revision` or `timeout` has passed; returns the
    /// revision reached (upstream's watch cache waits the same way before answering "too large").
    func waitForRevision(_ revision: Int64, timeout: Duration) -> Int64

    /// Stores a new object; fails with `.alreadyExists` if the key is taken.
    func create(_ key: StorageKey, _ object: JSON) throws(StorageError) -> StoredObject

    /// Replaces an object if it is still at `expectedRevision` (any revision when nil).
    func update(_ key: StorageKey, expectedRevision: Int64?, _ object: JSON) throws(StorageError) -> StoredObject

    /// Removes an object if it is still at `expectedRevision` (any revision when nil); returns its
    /// last state stamped with the deletion's revision.
    func delete(_ key: StorageKey, expectedRevision: Int64?) throws(StorageError) -> StoredObject

    /// Changes after `revision`, in order, or `.compacted` if some have left the history window.
    func events(after revision: Int64) throws(StorageError) -> [StorageEvent]

    /// Calls `listener` for every change, in revision order, on the writer's thread and before the
    /// write returns; listeners must be quick (they hand off to queues).
    @discardableResult
    func addListener(_ listener: @escaping @Sendable (StorageEvent) -> Void) -> ListenerToken
    func removeListener(_ token: ListenerToken)
}

extension Storage {
    public var isDurable: Bool { false }
    public func latest(_ key: StorageKey) -> LatestState { LatestState(object: get(key), uncommitted: nil) }
    public func awaitCommit(_ revision: Int64) -> Bool { true }
    public var healthProblem: String? { nil }
    public var confirmsConsistentReads: Bool { false }
    public func whenConsistent(_ then: @escaping @Sendable (StorageError?) -> Void) { then(nil) }
}

/// A key's newest state for an update loop (see `Storage.latest`).
public struct LatestState: Sendable {
    /// nil: absent, or deleted by a write not committed yet.
    public let object: StoredObject?
    /// The revision of the write not committed yet that produced this state; nil when it is committed.
    public let uncommitted: Int64?

    public init(object: StoredObject?, uncommitted: Int64?) {
        self.object = object
        self.uncommitted = uncommitted
    }
}

public struct ListenerToken: Sendable, Hashable {
    public let id: Int
    public init(id: Int) { self.id = id }
}

extension JSON {
    /// Returns the object with `metadata.resourceVersion` set, as storage stamps every write.
    public func stamped(revision: Int64) -> JSON {
        var copy = self
        copy[path: "metadata", "resourceVersion"] = .string(String(revision))
        return copy
    }
}
