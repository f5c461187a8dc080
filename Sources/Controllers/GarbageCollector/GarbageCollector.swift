import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Storage
import Synchronization

/// Deletes objects whose owners are gone, as kube-controller-manager's garbage collector does:
/// - background: once every owner of a dependent has been deleted, the dependent is deleted;
/// - foreground: an owner marked with the `foregroundDeletion` finalizer has its dependents deleted
///   first; the finalizer is removed (and the owner goes) once no dependent with
///   `blockOwnerDeletion: true` remains;
/// - orphan: an owner marked with the `orphan` finalizer has its ownerReference removed from every
///   dependent, then the finalizer is removed.
/// It follows every resource through the registry's watches, and writes through it like any client.
public final class GarbageCollector: Controller {
    public let name = "garbagecollector"
    /// It follows its own watches, not informers: its graph loads while their caches fill.
    public var waitsForCacheSync: Bool { false }
    private let state = Mutex(OwnerGraph())
    private let queueBox = QueueBox()

    final class QueueBox: @unchecked Sendable { var queue: WorkQueue<StorageKey>? }

    public init() {}

    public func register(_ context: ControllerContext) {}

    public func start(_ context: ControllerContext) {
        let queue = WorkQueue<StorageKey>(name: "garbage_collector_attempt_to_delete", timers: context.timers)
        queueBox.queue = queue
        // One watch per resource, each starting with the current state as additions; the hub hands
        // every resource's events out on one queue in revision order, so the graph sees changes in
        // the order they were made.
        let feed = ChangeFeed { [self] event in self.apply(event, queue) }
        // Its watches end with its timers (a leadership term over), as its informers would.
        context.timers.whenStopped { feed.stop() }
        for resource in context.registry.storedResources {
            feed.follow(context.store(resource.groupResource))
        }
        // Custom resources join as their CRDs are established (one watch per resource, whatever
        // its versions: they share storage); not once the term is over.
        let registry = context.registry
        let watched = Mutex(Set<GroupResource>())
        // Weak: the registry keeps this observer for as long as it lives.
        registry.observeCustomResources { [weak registry] versions in
            guard let registry, let first = versions.first, let store = registry.store(first.groupResource),
                  watched.withLock({ $0.insert(first.groupResource).inserted }) else { return }
            feed.follow(store)
        }
        queue.run(workers: 2, logger: context.logger, reconcile: { key in self.sync(key, context) })
    }

    /// Updates the graph with one change and enqueues the objects it may concern.
    private func apply(_ event: WatchEvent, _ queue: WorkQueue<StorageKey>) {
        let object = event.object.object
        let key = event.object.key
        let affected: [StorageKey] = state.withLock { graph in
            var affected: [StorageKey] = []
            switch event {
            case .added, .modified:
                graph.upsert(key, object)
                // Only objects with owners, or marked for foreground/orphan deletion, need a look.
                if Self.needsSync(object) { affected.append(key) }
            case .deleted:
                let uid = object.meta.uid
                graph.remove(key)
                affected += graph.dependents(of: uid)
            }
            // A dependent's change may unblock a foreground-deleting owner.
            for owner in OwnerGraph.ownerReferences(object) {
                if let ownerKey = graph.keyByUID[owner.uid] { affected.append(ownerKey) }
            }
            return affected
        }
        for k in affected { queue.add(k) }
    }

    static func needsSync(_ object: JSON) -> Bool {
        if !object.meta.ownerReferences.isEmpty { return true }
        guard object.meta.isBeingDeleted else { return false }
        let finalizers = object.meta.finalizers
        return finalizers.contains("orphan") || finalizers.contains("foregroundDeletion")
    }

    /// Looks at one object: deletes it if all its owners are gone, and carries out a foreground or
    /// orphan deletion it is marked for. Returns false to retry later.
    func sync(_ key: StorageKey, _ context: ControllerContext) -> Bool {
        guard let store = store(for: key, context), let current = stored(key, store) else { return true }
        let object = current.object
        let finalizers = object.meta.finalizers
        let uid = object.meta.uid
        let namespace = key.namespace.isEmpty ? nil : key.namespace

        if object.meta.isBeingDeleted {
            if finalizers.contains("orphan") {
                for dependent in state.withLock({ $0.dependents(of: uid) }) {
                    removeOwnerReference(uid, from: dependent, context)
                }
                return removeFinalizer("orphan", from: key, store, context)
            }
            if finalizers.contains("foregroundDeletion") {
                let dependents = state.withLock { $0.dependents(of: uid) }
                var blocking = 0
                for dependent in dependents {
                    guard let dependentStore = self.store(for: dependent, context),
                          let stored = self.stored(dependent, dependentStore) else { continue }
                    let blocks = OwnerGraph.ownerReferences(stored.object).contains { $0.uid == uid && $0.blockOwnerDeletion }
                    if blocks { blocking += 1 }
                    if !stored.object.meta.isBeingDeleted {
                        var options = DeleteOptions()
                        options.propagationPolicy = .foreground
                        _ = try? dependentStore.delete(namespace: dependent.namespace.isEmpty ? nil : dependent.namespace,
                                                       name: dependent.name, options: options)
                    }
                }
                if blocking == 0 { return removeFinalizer("foregroundDeletion", from: key, store, context) }
                return true  // dependents' deletions enqueue this owner again
            }
        }

        // Background: every owner gone (absent, or present with another UID) → delete this dependent.
        let owners = OwnerGraph.ownerReferences(object)
        guard !owners.isEmpty, !object.meta.isBeingDeleted else { return true }
        let allGone = owners.allSatisfy { owner in !ownerExists(owner, namespace: key.namespace, context) }
        guard allGone else { return true }
        var options = DeleteOptions()
        options.preconditionUID = uid
        // The dependent must still be the version judged orphaned: an orphaning owner may have just
        // removed its reference (then the delete conflicts and the next look keeps it).
        options.preconditionResourceVersion = String(current.revision)
        options.propagationPolicy = .background
        do {
            _ = try store.delete(namespace: namespace, name: key.name, options: options)
            return true
        } catch {
            return error.isNotFound
        }
    }

    /// An owner exists if an object with its UID is known; the graph may lag the store, so a miss is
    /// checked against storage by name, as upstream verifies absent owners with a live lookup.
    private func ownerExists(_ owner: OwnerReferenceView, namespace: String, _ context: ControllerContext) -> Bool {
        if state.withLock({ $0.exists(uid: owner.uid) }) { return true }
        let group = owner.apiVersion.contains("/") ? String(owner.apiVersion.split(separator: "/")[0]) : ""
        guard let resource = context.registry.servedResources.first(where: { $0.group == group && $0.kind == owner.kind }) else {
            return false
        }
        let ownerKey = StorageKey(resource: resource.groupResource.description, namespace: resource.namespaced ? namespace : "", name: owner.name)
        guard let ownerStore = context.registry.store(resource.groupResource) else { return false }
        return stored(ownerKey, context.client(ownerStore))?.object.meta.uid == owner.uid
    }

    private func removeOwnerReference(_ uid: String, from key: StorageKey, _ context: ControllerContext) {
        guard let store = store(for: key, context), let stored = stored(key, store) else { return }
        let kept = stored.object.meta.ownerReferences.filter { $0.uid != uid }
        let patch: JSON = ["metadata": ["ownerReferences": kept.isEmpty ? .null : .array(kept.map(\.object))]]
        _ = try? store.patch(namespace: key.namespace.isEmpty ? nil : key.namespace, name: key.name, type: .merge,
                             patch: RequestBody(value: patch), options: WriteOptions())
    }

    private func removeFinalizer(_ finalizer: String, from key: StorageKey, _ store: ResourceClient, _ context: ControllerContext) -> Bool {
        guard let stored = stored(key, store) else { return true }
        let remaining = stored.object.meta.finalizers.filter { $0 != finalizer }
        let patch: JSON = ["metadata": ["finalizers": remaining.isEmpty ? .null : .array(remaining.map(JSON.string)),
                                        "resourceVersion": .string(String(stored.revision))]]
        do {
            _ = try store.patch(namespace: key.namespace.isEmpty ? nil : key.namespace, name: key.name, type: .merge,
                                patch: RequestBody(value: patch), options: WriteOptions())
            return true
        } catch {
            return error.isNotFound
        }
    }

    /// The object at `key` as stored now (not as the graph last saw it).
    private func stored(_ key: StorageKey, _ store: ResourceClient) -> StoredObject? {
        try? store.get(namespace: key.namespace, name: key.name)
    }

    private func store(for key: StorageKey, _ context: ControllerContext) -> ResourceClient? {
        context.registry.servedResources.first { $0.groupResource.description == key.resource }
            .flatMap { context.registry.store($0.groupResource) }.map(context.client)
    }
}

/// Hands every event of the garbage collector's watches to it; the watches never end on their own.
private final class ChangeFeed: WatchConsumer, @unchecked Sendable {
    let apply: @Sendable (WatchEvent) -> Void
    private struct State {
        var stopped = false
        var handles: [WatchHandle] = []
    }
    private let state = Mutex(State())
    init(_ apply: @escaping @Sendable (WatchEvent) -> Void) { self.apply = apply }

    /// Watches every object of `store` from its current state into this feed, unless it has stopped.
    func follow(_ store: ResourceStore) {
        guard !state.withLock({ $0.stopped }) else { return }
        // Started outside the lock: the hub may hand the current state over on this thread.
        let handle = store.watch(namespace: nil, start: .currentState, consumer: self, timeout: .seconds(100 * 365 * 86400))
        let late = state.withLock { state in
            if state.stopped { return true }
            state.handles.append(handle)
            return false
        }
        if late { handle.stop() }
    }

    /// Ends every watch now (not at its next event: an idle resource's watch would stay open).
    func stop() {
        let handles = state.withLock { state in
            state.stopped = true
            defer { state.handles = [] }
            return state.handles
        }
        for handle in handles { handle.stop() }
    }

    func receive(_ event: WatchEvent) -> Bool {
        guard !state.withLock({ $0.stopped }) else { return false }
        apply(event)
        return true
    }
    func bookmark(revision: Int64, initialEventsEnd: Bool) -> Bool { !state.withLock { $0.stopped } }
    func fail(_ failure: WatchFailure) {}
    func finish() {}
}
