import APIMachinery
import Foundation
import Logging
import Storage
import Synchronization

/// A local cache of one resource kept current by a `Reflector` (list, then watch, relisting when the
/// watch fails or ends, as client-go's informers do), indexed by namespace and by owner UID, with
/// handlers called for each change. The cache holds the stored objects themselves (their bytes, and
/// their trees only while recently read: `DecodedTreeCache`), so a cache of 100,000 pods costs about
/// their JSON, not five times it. Handlers run on the source's or the reflector's thread, one
/// change at a time, and must only enqueue keys. The informer is also a `WatchConsumer`, so a test
/// can feed it a watch of its own.
public final class Informer: WatchConsumer, @unchecked Sendable {
    public let resource: String
    let state = Mutex(Cache())
    private(set) var handlers: [Handler] = []
    private let synced = NSCondition()
    private var isSynced = false
    private let reflector = Mutex<Reflector?>(nil)
    /// Indexes changed with the cache, by name (see `index(_:make:)`).
    let indexes = Mutex<[String: any InformerIndex]>([:])

    public struct Handler: Sendable {
        public var added: @Sendable (JSON) -> Void = { _ in }
        public var updated: @Sendable (_ old: JSON, _ new: JSON) -> Void = { _, _ in }
        public var deleted: @Sendable (JSON) -> Void = { _ in }
        public init(added: @escaping @Sendable (JSON) -> Void = { _ in },
                    updated: @escaping @Sendable (_ old: JSON, _ new: JSON) -> Void = { _, _ in },
                    deleted: @escaping @Sendable (JSON) -> Void = { _ in }) {
            self.added = added; self.updated = updated; self.deleted = deleted
        }
    }

    struct Cache {
        var objects: [String: [String: StoredObject]] = [:]  // namespace → name → object
        var byOwner: [String: Set<ObjectName>] = [:]  // owner uid → objects
        var uncontrolled: [String: Set<String>] = [:]  // namespace → names of objects without a controller
        var revision: Int64 = 0
    }

    /// A namespaced name.
    public struct ObjectName: Hashable, Sendable {
        public var namespace: String
        public var name: String
        public init(namespace: String, name: String) { self.namespace = namespace; self.name = name }
    }

    public init(resource: String) { self.resource = resource }

    /// Registers a handler; call before `start`.
    public func addHandler(_ handler: Handler) { handlers.append(handler) }

    /// The index registered under `name`, made by `make` on first use (and filled from the cache as
    /// it is), so controllers sharing an informer (ReplicaSets and ReplicationControllers both read
    /// pods) share one.
    public func index<Index: InformerIndex>(_ name: String, make: () -> Index) -> Index {
        // The cache's lock first, as `receive` takes them: no change slips between filling and registering.
        state.withLock { cache in
            indexes.withLock { all in
                if let existing = all[name] as? Index { return existing }
                let made = make()
                for (namespace, objects) in cache.objects {
                    for (name, object) in objects { made.apply(ObjectName(namespace: namespace, name: name), old: nil, new: object) }
                }
                all[name] = made
                return made
            }
        }
    }

    /// Applies one change to every index; called under `state`'s lock.
    func applyToIndexes(_ key: ObjectName, old: JSON?, new: StoredObject?) {
        for index in indexes.withLock({ Array($0.values) }) { index.apply(key, old: old, new: new) }
    }

    /// Lists and watches `source` from now on (asynchronously): the current state arrives as
    /// additions, then changes; after a failed or ended watch, the differences a relist finds.
    /// `timers` pace the relists. A second call does nothing: an informer has one source.
    public func start(_ source: any ListerWatcher, timers: any Timers, logger: Logger = Logger(label: "kubelite.informer")) {
        let started = reflector.withLock { current -> Reflector? in
            guard current == nil else { return nil }
            current = Reflector(source: source, informer: self, timers: timers, logger: logger)
            return current
        }
        started?.start()
    }

    /// Ends the watch; the cache keeps its last state.
    public func stop() { reflector.withLock { $0 }?.stop() }

    /// Blocks until the initial state has been delivered (client-go's WaitForCacheSync).
    @discardableResult
    public func waitForSync(timeout: TimeInterval = 30) -> Bool {
        synced.lock(); defer { synced.unlock() }
        let deadline = Date().addingTimeInterval(timeout)
        while !isSynced { if !synced.wait(until: deadline) { return isSynced } }
        return true
    }

    public var hasSynced: Bool { synced.lock(); defer { synced.unlock() }; return isSynced }

    /// The newest revision the cache reflects (client-go's LastStoreSyncResourceVersion): every
    /// change at or below it has been applied. A controller compares it with the revisions of its
    /// own writes to know whether the cache has caught up with them.
    public var lastSyncRevision: Int64 { state.withLock { $0.revision } }

    public func get(namespace: String, name: String) -> JSON? {
        state.withLock { $0.objects[namespace]?[name] }?.object
    }

    /// The cached objects (of `namespace`, or all), decoded outside the cache's lock.
    public func list(namespace: String? = nil) -> [JSON] {
        let stored = state.withLock { cache in
            if let namespace { return Array((cache.objects[namespace] ?? [:]).values) }
            return cache.objects.values.flatMap { $0.values }
        }
        return stored.map(\.object)
    }

    /// Objects of `namespace` without a controller reference: the orphans a controller may adopt,
    /// found without scanning the namespace.
    public func uncontrolled(namespace: String) -> [JSON] {
        state.withLock { cache in
            (cache.uncontrolled[namespace] ?? []).compactMap { cache.objects[namespace]?[$0] }
        }.map(\.object)
    }

    /// Objects whose ownerReferences name `uid`.
    public func owned(by uid: String) -> [JSON] {
        state.withLock { cache in
            (cache.byOwner[uid] ?? []).compactMap { cache.objects[$0.namespace]?[$0.name] }
        }.map(\.object)
    }

    // MARK: WatchConsumer

    public func receive(_ event: WatchEvent) -> Bool {
        let stored = event.object
        let object = stored.object
        let key = ObjectName(namespace: stored.key.namespace, name: stored.key.name)
        switch event {
        case .added, .modified:
            let old = state.withLock { cache -> JSON? in
                let old = cache.objects[key.namespace]?[key.name]?.object
                if let old { Self.unindex(old, key, &cache) }
                cache.objects[key.namespace, default: [:]][key.name] = stored
                Self.index(object, key, &cache)
                applyToIndexes(key, old: old, new: stored)
                cache.revision = max(cache.revision, stored.revision)
                return old
            }
            for h in handlers {
                if let old { h.updated(old, object) } else { h.added(object) }
            }
        case .deleted:
            let old = state.withLock { cache -> JSON? in
                defer { cache.revision = max(cache.revision, stored.revision) }
                guard let old = cache.objects[key.namespace]?.removeValue(forKey: key.name)?.object else { return nil }
                Self.unindex(old, key, &cache)
                applyToIndexes(key, old: old, new: nil)
                return old
            }
            for h in handlers { h.deleted(old ?? object) }
        }
        return true
    }

    public func bookmark(revision: Int64, initialEventsEnd: Bool) -> Bool {
        state.withLock { $0.revision = max($0.revision, revision) }
        if initialEventsEnd { markSynced() }
        return true
    }

    func markSynced() {
        synced.lock(); isSynced = true; synced.broadcast(); synced.unlock()
    }

    /// A watch fed by a test ends without a relist: only a started informer's reflector relists.
    public func fail(_ failure: WatchFailure) {}
    public func finish() {}

    private static func owners(_ object: JSON) -> [String] {
        object.meta.ownerReferences.map(\.uid)
    }

    static func index(_ object: JSON, _ key: ObjectName, _ cache: inout Cache) {
        let refs = object.meta.ownerReferences
        for ref in refs { cache.byOwner[ref.uid, default: []].insert(key) }
        if !refs.contains(where: \.controller) { cache.uncontrolled[key.namespace, default: []].insert(key.name) }
    }

    static func unindex(_ object: JSON, _ key: ObjectName, _ cache: inout Cache) {
        for uid in owners(object) {
            cache.byOwner[uid]?.remove(key)
            if cache.byOwner[uid]?.isEmpty == true { cache.byOwner[uid] = nil }
        }
        cache.uncontrolled[key.namespace]?.remove(key.name)
        if cache.uncontrolled[key.namespace]?.isEmpty == true { cache.uncontrolled[key.namespace] = nil }
    }
}

extension Informer.ObjectName: CustomStringConvertible {
    /// `namespace/name` (just `name` when cluster-scoped), as client-go's keys read in logs.
    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}
