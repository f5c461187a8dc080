import APIMachinery
import Storage

/// Which object an update writes through: the main resource (the strategy prepares it, generation
/// and the Service pools follow it), or a subresource that prepares the new object its own way.
enum UpdateScope {
    case resource
    case subresource(prepare: (_ object: inout JSON, _ old: JSON) -> Void)
    /// The status subresource: prepared like any subresource, validated by the strategy's
    /// `validateStatusUpdate` (upstream's status strategies validate what a status write can change).
    case status(prepare: (_ object: inout JSON, _ old: JSON) -> Void)
}

extension ResourceStore {
    /// PUT: replace an object, guarded by the body's resourceVersion when it has one
    /// (upstream's rest.BeforeUpdate and Store.Update).
    public func update(namespace: String?, name: String, body: RequestBody, options: WriteOptions) throws(APIError) -> WriteResult {
        try update(namespace: namespace, name: name, body: body, options: options, scope: .resource)
    }

    func update(namespace: String?, name: String, body: RequestBody, options: WriteOptions,
                scope: UpdateScope, subresource: String = "") throws(APIError) -> WriteResult {
        var (object, warnings) = try decode(body, options: options)
        let bodyName = object[path: "metadata", "name"]?.stringValue ?? ""
        if !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        object[path: "metadata", "name"] = .string(name)
        try checkNamespace(&object, urlNamespace: namespace)
        let result = try replace(namespace: namespace, name: name, options: options, scope: scope, subresource: subresource) {
            (current: StoredObject) throws(APIError) -> JSON in object
        }
        return WriteResult(object: result.object, bytes: result.bytes, warnings: warnings)
    }

    /// The update loop shared by PUT, PATCH and the subresources: read the newest object (writes still
    /// waiting for their group commit included, see `Storage.latest`), build the new one from it,
    /// prepare and validate, then compare-and-swap. A conflict with a write that
    /// happened meanwhile is retried unless the caller pinned a resourceVersion, as upstream's
    /// GuaranteedUpdate does.
    ///
    /// `rebasesOnConflict` is for patches: the transform re-applies the patch to the newer object, and
    /// a resourceVersion the patch pinned fails the version check on the next round by itself.
    ///
    /// The write is recorded in managedFields as an Update by the request's manager through
    /// `subresource`, from the prepared object (so what the strategy resets is not owned), unless
    /// `recordsUpdate` is false (an apply records its own entry).
    func replace(namespace: String?, name: String, options: WriteOptions, scope: UpdateScope = .resource,
                 subresource: String = "", recordsUpdate: Bool = true, rebasesOnConflict: Bool = false,
                 transform: (StoredObject) throws(APIError) -> JSON) throws(APIError) -> WriteResult {
        let storageKey = key(namespace: namespace, name: name)
        for _ in 0..<Self.maxConflictRetries {
            let latest = storage.latest(storageKey)
            guard let current = latest.object else {
                if !settled(latest) { continue }
                throw APIError.notFound(groupResource, name)
            }
            var object: JSON
            var pools = AllocationTransaction.none
            let requestedVersion: String
            do throws(APIError) {
                object = try transform(current)
                requestedVersion = object[path: "metadata", "resourceVersion"]?.stringValue ?? ""
                if !requestedVersion.isEmpty, requestedVersion != String(current.revision) {
                    throw APIError.conflict(groupResource, name, APIError.modifiedSinceRead)
                }
                // Validation sees the version being replaced, as upstream's unconditional updates do.
                object[path: "metadata", "resourceVersion"] = .string(String(current.revision))
                keepSystemFields(&object, old: current.object)
                switch scope {
                case .resource: prepareResourceUpdate(&object, old: current.object)
                case .subresource(let prepare): prepare(&object, current.object)
                case .status(let prepare): prepare(&object, current.object)
                }
                // Before validation: managedFields a request got wrong are replaced, not refused.
                if recordsUpdate {
                    fieldManager(subresource: subresource, applying: false)
                        .update(live: current.object, new: &object, manager: options.managerName, now: now())
                }
                // A status write is checked as upstream's status strategies check it (status only).
                var isStatus = false
                if case .status = scope { isStatus = true }
                try validateForUpdate(object, old: current.object, status: isStatus)
                if !isStatus, let writeAuthorization { try writeAuthorization(object, current.object, options) }
                // Pools (Service addresses and node ports) follow the main resource only.
                if case .resource = scope {
                    pools = try strategy.allocateUpdate(&object, old: current.object, cluster: cluster)
                }
            } catch {
                if !settled(latest) { continue }
                throw error
            }
            // A write that changes nothing is not stored and does not move the resourceVersion.
            if object == current.object {
                pools.revert()
                if !settled(latest) { continue }
                return WriteResult(object: current.object, bytes: current.bytes)
            }
            if options.dryRun {
                pools.revert()
                if !settled(latest) { continue }
                return WriteResult(object: object)
            }
            // Clearing the last finalizer of an object marked for deletion removes it, unless a grace
            // period is still running (a terminating pod's status updates must not remove it).
            if object[path: "metadata", "deletionTimestamp"] != nil, (object[path: "metadata", "finalizers"]?.arrayValue ?? []).isEmpty,
               (object[path: "metadata", "deletionGracePeriodSeconds"]?.intValue ?? 0) == 0 {
                pools.revert()
                do {
                    let deleted = try storage.delete(storageKey, expectedRevision: current.revision)
                    strategy.release(deleted.object, cluster: cluster)
                    // The last finalizer of content in a Terminating namespace may be what kept it.
                    if resource.namespaced, let ns = namespace { cluster.contentRemoved(fromNamespace: ns) }
                    return WriteResult(object: object.stamped(revision: deleted.revision))
                } catch {
                    if case .conflict = error, requestedVersion.isEmpty || rebasesOnConflict { continue }
                    throw interpret(error, name: name)
                }
            }
            do {
                let stored = try storage.update(storageKey, expectedRevision: current.revision, object)
                pools.commit()
                return WriteResult(object: stored.object, bytes: stored.bytes)
            } catch {
                pools.revert()
                if case .conflict = error, requestedVersion.isEmpty || rebasesOnConflict { continue }
                throw interpret(error, name: name)
            }
        }
        throw APIError.conflict(groupResource, name, APIError.modifiedSinceRead)
    }

    /// System fields an update may not change are carried over from the stored object.
    func keepSystemFields(_ object: inout JSON, old: JSON) {
        var metadata = object["metadata"]?.objectValue ?? [:]
        let oldMetadata = old["metadata"]?.objectValue ?? [:]
        if (metadata["uid"]?.stringValue ?? "").isEmpty { metadata["uid"] = oldMetadata["uid"] }
        metadata["creationTimestamp"] = oldMetadata["creationTimestamp"]
        metadata["deletionTimestamp"] = oldMetadata["deletionTimestamp"]
        metadata["deletionGracePeriodSeconds"] = oldMetadata["deletionGracePeriodSeconds"]
        metadata["generation"] = oldMetadata["generation"]
        metadata["selfLink"] = nil
        object["metadata"] = .object(metadata)
    }

    /// The main resource's update: the strategy keeps what it may not change (usually status), and
    /// generation moves when the spec does.
    func prepareResourceUpdate(_ object: inout JSON, old: JSON) {
        strategy.prepareForUpdate(&object, old: old)
        if strategy.tracksGeneration, strategy.specChanged(object, old: old) {
            let generation = old[path: "metadata", "generation"]?.intValue ?? 0
            object[path: "metadata", "generation"] = .int(generation + 1)
        }
    }

    func validateForUpdate(_ object: JSON, old: JSON, status: Bool = false) throws(APIError) {
        var errors = ObjectMetaValidation.validateUpdate(object["metadata"], old: old["metadata"],
                                                         namespaced: resource.namespaced, nameValidator: strategy.nameValidator,
                                                         kubeFinalizers: strategy.validatesKubeFinalizerNames)
        errors += status ? strategy.validateStatusUpdate(object, old: old) : strategy.validateUpdate(object, old: old)
        if !errors.isEmpty {
            throw APIError.invalid(resource.groupKind, object[path: "metadata", "name"]?.stringValue ?? "", errors)
        }
    }
}
