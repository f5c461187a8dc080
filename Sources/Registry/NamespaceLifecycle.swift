import APIMachinery
import Storage

/// Namespace deletion as upstream's NamespaceLifecycle admission and namespace controller do it:
/// `default`, `kube-system` and `kube-public` may not be deleted; deleting another namespace marks it
/// Terminating (no new content may be created in it), deletes everything in it, and removes the
/// namespace once nothing is left. Content held by finalizers keeps the namespace Terminating.
final class NamespaceLifecycle: @unchecked Sendable {
    static let immortalNamespaces: Set<String> = ["default", "kube-system", "kube-public"]
    static let namespaces = GroupResource(group: "", resource: "namespaces")

    let storage: any Storage
    /// The namespaced stores, set once by `Registry.init` before any request is served.
    var contentStores: [ResourceStore] = []
    /// The namespaced custom resources' stores, which come and go with their CRDs.
    var customContentStores: @Sendable () -> [ResourceStore] = { [] }

    init(storage: any Storage) { self.storage = storage }

    /// Whether a namespace exists (and, if so, whether it is being terminated).
    func phase(_ name: String) -> String? {
        guard let ns = storage.get(StorageKey(resource: "namespaces", namespace: "", name: name)) else { return nil }
        return ns.object[path: "status", "phase"]?.stringValue ?? "Active"
    }

    func checkDeletable(_ name: String) throws(APIError) {
        if Self.immortalNamespaces.contains(name) {
            throw APIError.forbidden(Self.namespaces, name, "this namespace may not be deleted")
        }
    }

    /// The end of a graceful deletion or the last finalizer of content in a Terminating namespace
    /// may be what the namespace waited for.
    func contentRemoved(fromNamespace namespace: String) {
        if phase(namespace) == "Terminating" { finalize(namespace) }
    }

    /// Deletes the content of a Terminating namespace; removes the namespace when it is empty.
    /// Safe to call again (for example when a finalizer on remaining content is cleared).
    func finalize(_ name: String) {
        var remaining = 0
        for store in contentStores + customContentStores() {
            for item in store.list(namespace: name).items {
                switch try? store.delete(namespace: name, name: item.key.name, options: DeleteOptions()) {
                case .deleted?: break
                default: remaining += 1
                }
            }
        }
        guard remaining == 0 else { return }
        _ = try? storage.delete(StorageKey(resource: "namespaces", namespace: "", name: name), expectedRevision: nil)
    }

    /// DELETE of a namespace (upstream's namespace REST wraps the store's Delete): marked
    /// Terminating, emptied, then removed (see `finalize`).
    func delete(_ store: ResourceStore, name: String, options: DeleteOptions) throws(APIError) -> DeleteResult {
        try checkDeletable(name)
        let storageKey = store.key(namespace: nil, name: name)
        for _ in 0..<ResourceStore.maxConflictRetries {
            let latest = storage.latest(storageKey)
            if !store.settled(latest) { continue }
            guard let current = latest.object else { throw APIError.notFound(Self.namespaces, name) }
            try store.checkPreconditions(current, options: options, name: name)
            var object = current.object
            if object[path: "metadata", "deletionTimestamp"] == nil {
                object[path: "metadata", "deletionTimestamp"] = .string(store.now())
                object[path: "metadata", "deletionGracePeriodSeconds"] = 0
            }
            object[path: "status", "phase"] = "Terminating"
            if options.dryRun { return .marked(object) }
            let marked: JSON
            if object == current.object {
                marked = current.object
            } else {
                do {
                    marked = try storage.update(storageKey, expectedRevision: current.revision, object).object
                } catch {
                    if case .conflict = error { continue }
                    throw store.interpret(error, name: name)
                }
            }
            finalize(name)
            return .marked(marked)
        }
        throw APIError.conflict(Self.namespaces, name, APIError.modifiedSinceRead)
    }
}
