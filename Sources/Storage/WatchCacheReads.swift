/// A durable store (SQLite, etcd) whose reads and watches are served by a `MemoryStorage` it keeps
/// current as its writes commit: kube-apiserver's watch cache. The read half of `Storage` is that
/// cache's, written once here; each store supplies its writes and `latest`.
public protocol WatchCacheReads: Storage {
    /// The committed state every read and watch is answered from.
    var memory: MemoryStorage { get }
}

extension WatchCacheReads {
    public var currentRevision: Int64 { memory.currentRevision }
    public func get(_ key: StorageKey) -> StoredObject? { memory.get(key) }
    public func list(resource: String, namespace: String?) -> (items: [StoredObject], revision: Int64) {
        memory.list(resource: resource, namespace: namespace)
    }
    public func list(_ request: ListRequest) throws(StorageError) -> ListPage { try memory.list(request) }
    public func waitForRevision(_ revision: Int64, timeout: Duration) -> Int64 { memory.waitForRevision(revision, timeout: timeout) }
    public func events(after revision: Int64) throws(StorageError) -> [StorageEvent] { try memory.events(after: revision) }
    @discardableResult
    public func addListener(_ listener: @escaping @Sendable (StorageEvent) -> Void) -> ListenerToken { memory.addListener(listener) }
    public func removeListener(_ token: ListenerToken) { memory.removeListener(token) }
}
