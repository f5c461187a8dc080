import APIMachinery
import Storage

extension ResourceStore {
    /// DELETE: check preconditions; an object with finalizers (or a foreground/orphan propagation, which
    /// add theirs) or given a grace period (pods on a node) is only marked with a deletionTimestamp;
    /// otherwise it is removed now.
    public func delete(namespace: String?, name: String, options: DeleteOptions) throws(APIError) -> DeleteResult {
        if let deletion { return try deletion(self, name, options) }
        let storageKey = key(namespace: namespace, name: name)
        for _ in 0..<Self.maxConflictRetries {
            let latest = storage.latest(storageKey)
            guard let current = latest.object else {
                if !settled(latest) { continue }
                throw APIError.notFound(groupResource, name)
            }
            do throws(APIError) {
                try checkPreconditions(current, options: options, name: name)
            } catch {
                if !settled(latest) { continue }
                throw error
            }
            var object = current.object
            var gracePeriod: Int64 = 0
            switch gracefulDeletion(current.object, options: options) {
            case .pending:
                if !settled(latest) { continue }
                return .marked(current.object)
            case .graceful(let marked, let period): object = marked; gracePeriod = period
            case .notGraceful: break
            }
            var finalizers = (object[path: "metadata", "finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
            switch options.propagationPolicy {
            case .foreground where !finalizers.contains("foregroundDeletion"): finalizers.append("foregroundDeletion")
            case .orphan where !finalizers.contains("orphan"): finalizers.append("orphan")
            default: break
            }
            if !finalizers.isEmpty || gracePeriod > 0 {
                if object[path: "metadata", "deletionTimestamp"] == nil {
                    object[path: "metadata", "deletionTimestamp"] = .string(now())
                    object[path: "metadata", "deletionGracePeriodSeconds"] = 0
                }
                if !finalizers.isEmpty { object[path: "metadata", "finalizers"] = .array(finalizers.map { .string($0) }) }
                if object == current.object || options.dryRun, !settled(latest) { continue }
                if object == current.object { return .marked(current.object) }
                if options.dryRun { return .marked(object) }
                do {
                    return .marked(try storage.update(storageKey, expectedRevision: current.revision, object).object)
                } catch {
                    if case .conflict = error { continue }
                    throw interpret(error, name: name)
                }
            }
            if options.dryRun {
                if !settled(latest) { continue }
                return .deleted(current.object)
            }
            do {
                let deleted = try storage.delete(storageKey, expectedRevision: current.revision).object
                strategy.release(deleted, cluster: cluster)
                // The end of a graceful deletion (the kubelet's final DELETE) may be what a
                // Terminating namespace waited for.
                if current.object[path: "metadata", "deletionTimestamp"] != nil, resource.namespaced, let ns = namespace {
                    cluster.contentRemoved(fromNamespace: ns)
                }
                return .deleted(deleted)
            } catch {
                if case .conflict = error { continue }
                throw interpret(error, name: name)
            }
        }
        throw APIError.conflict(groupResource, name, APIError.modifiedSinceRead)
    }

    func checkPreconditions(_ current: StoredObject, options: DeleteOptions, name: String) throws(APIError) {
        if let uid = options.preconditionUID {
            let actual = current.object[path: "metadata", "uid"]?.stringValue ?? ""
            if uid != actual {
                throw APIError.conflict(groupResource, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(actual)")
            }
        }
        if let rv = options.preconditionResourceVersion, rv != String(current.revision) {
            throw APIError.conflict(groupResource, name, "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.revision)")
        }
    }

    /// DELETE on a collection: deletes every listed object (already filtered by the caller's selectors).
    public func deleteCollection(_ items: [StoredObject], options: DeleteOptions) throws(APIError) -> [JSON] {
        var deleted: [JSON] = []
        for item in items {
            do {
                switch try delete(namespace: item.key.namespace, name: item.key.name, options: options) {
                case .deleted(let o), .marked(let o): deleted.append(o)
                }
            } catch {
                if error.code == 404 { continue }  // deleted meanwhile: the goal is reached
                throw error
            }
        }
        return deleted
    }
}
