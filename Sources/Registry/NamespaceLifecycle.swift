import APIMachinery
import Storage

/// Namespace deletion as upstream's NamespaceLifecycle admission and namespace controller do it:
/// `default`, `kube-system` and `kube-public` may not be deleted; deleting another namespace marks it
/// Terminating (no new content may be created in it), deletes everything in it, and removes the
/// namespace once nothing is left. Content held by finalizers keeps the namespace Terminating.
extension Registry {
    static let immortalNamespaces: Set<String> = ["default", "kube-system", "kube-public"]

    func checkNamespaceDeletable(_ name: String) throws(APIError) {
        if Self.immortalNamespaces.contains(name) {
            throw APIError.forbidden(GroupResource(group: "", resource: "namespaces"), name, "this namespace may not be deleted")
        }
    }

    /// Deletes the content of a Terminating namespace; removes the namespace when it is empty.
    /// Safe to call again (for example when a finalizer on remaining content is cleared).
    func finalizeNamespace(_ name: String) {
        var remaining = 0
        for resource in resources where resource.namespaced {
            guard let store = store(resource.groupResource) else { continue }
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
}

extension ResourceStore {
    /// DELETE of a namespace: marked Terminating, emptied, then removed (see `finalizeNamespace`).
    func deleteNamespace(name: String, options: DeleteOptions) throws(APIError) -> DeleteResult {
        guard let registry else { throw APIError.internalError("registry not attached") }
        try registry.checkNamespaceDeletable(name)
        let storageKey = key(namespace: nil, name: name)
        for _ in 0..<Self.maxConflictRetries {
            let latest = storage.latest(storageKey)
            if !settled(latest) { continue }
            guard let current = latest.object else { throw APIError.notFound(groupResource, name) }
            try checkPreconditions(current, options: options, name: name)
            var object = current.object
            if object[path: "metadata", "deletionTimestamp"] == nil {
                object[path: "metadata", "deletionTimestamp"] = .string(now())
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
                    throw apiError(error, name: name)
                }
            }
            registry.finalizeNamespace(name)
            return .marked(marked)
        }
        throw APIError.conflict(groupResource, name, APIError.modifiedSinceRead)
    }
}
