import APIMachinery
import Storage

/// The storage a version view's `ResourceStore` writes through: the real storage, with each object of
/// the viewed resource converted to the storage version on the way in and to the served version on
/// the way out. Keys, revisions and preconditions are the real storage's, so both versions share
/// objects, resourceVersions and conflicts. Objects of other resources pass unchanged.
final class ConvertingStorage: Storage, @unchecked Sendable {
    let base: any Storage
    let conversion: any VersionConversion
    /// The storage key resource (`events`, `horizontalpodautoscalers.autoscaling`) whose objects convert.
    let resource: String

    init(base: any Storage, conversion: any VersionConversion) {
        self.base = base
        self.conversion = conversion
        self.resource = conversion.storageResource.groupResource.description
    }

    /// A stored object as served, with its bytes encoded anew (only the view pays for that).
    func served(_ stored: StoredObject) -> StoredObject {
        guard stored.key.resource == resource else { return stored }
        let object = conversion.fromStorage(stored.object)
        return StoredObject(key: stored.key, object: object, bytes: JSONWriter.encode(object), revision: stored.revision)
    }

    func stored(_ object: JSON, _ key: StorageKey) -> JSON {
        key.resource == resource ? conversion.toStorage(object) : object
    }

    var currentRevision: Int64 { base.currentRevision }
    var isDurable: Bool { base.isDurable }

    func get(_ key: StorageKey) -> StoredObject? { base.get(key).map(served) }

    func latest(_ key: StorageKey) -> LatestState {
        let state = base.latest(key)
        return LatestState(object: state.object.map(served), uncommitted: state.uncommitted)
    }

    func awaitCommit(_ revision: Int64) -> Bool { base.awaitCommit(revision) }
    var confirmsConsistentReads: Bool { base.confirmsConsistentReads }
    func whenConsistent(_ then: @escaping @Sendable (StorageError?) -> Void) { base.whenConsistent(then) }

    func list(resource: String, namespace: String?) -> (items: [StoredObject], revision: Int64) {
        let page = base.list(resource: resource, namespace: namespace)
        return (page.items.map(served), page.revision)
    }

    /// The predicate (label and field selectors) sees objects as served, as the client wrote them.
    func list(_ request: ListRequest) throws(StorageError) -> ListPage {
        var converted = request
        if let predicate = request.predicate {
            converted.predicate = { [self] in predicate(served($0)) }
        }
        var page = try base.list(converted)
        page.items = page.items.map(served)
        return page
    }

    func waitForRevision(_ revision: Int64, timeout: Duration) -> Int64 { base.waitForRevision(revision, timeout: timeout) }

    func create(_ key: StorageKey, _ object: JSON) throws(StorageError) -> StoredObject {
        served(try base.create(key, stored(object, key)))
    }

    func update(_ key: StorageKey, expectedRevision: Int64?, _ object: JSON) throws(StorageError) -> StoredObject {
        served(try base.update(key, expectedRevision: expectedRevision, stored(object, key)))
    }

    func delete(_ key: StorageKey, expectedRevision: Int64?) throws(StorageError) -> StoredObject {
        served(try base.delete(key, expectedRevision: expectedRevision))
    }

    func events(after revision: Int64) throws(StorageError) -> [StorageEvent] {
        try base.events(after: revision).map(served)
    }

    func served(_ event: StorageEvent) -> StorageEvent {
        StorageEvent(kind: event.kind, object: served(event.object), previous: event.previous.map(served))
    }

    @discardableResult
    func addListener(_ listener: @escaping @Sendable (StorageEvent) -> Void) -> ListenerToken {
        base.addListener { [self] event in listener(served(event)) }
    }

    func removeListener(_ token: ListenerToken) { base.removeListener(token) }
}

/// The watch consumer of a version view: the hub reads the real storage, so each event is
/// converted for this watcher before it is handed on.
final class ConvertingWatchConsumer: WatchConsumer, @unchecked Sendable {
    let inner: any WatchConsumer
    let storage: ConvertingStorage

    init(_ inner: any WatchConsumer, storage: ConvertingStorage) {
        self.inner = inner
        self.storage = storage
    }

    func receive(_ event: WatchEvent) -> Bool {
        switch event {
        case .added(let object): return inner.receive(.added(storage.served(object)))
        case .modified(let object): return inner.receive(.modified(storage.served(object)))
        case .deleted(let object): return inner.receive(.deleted(storage.served(object)))
        }
    }

    func bookmark(revision: Int64, initialEventsEnd: Bool) -> Bool { inner.bookmark(revision: revision, initialEventsEnd: initialEventsEnd) }
    func fail(_ failure: WatchFailure) { inner.fail(failure) }
    func finish() { inner.finish() }
}
