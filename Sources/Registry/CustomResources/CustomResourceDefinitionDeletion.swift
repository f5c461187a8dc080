import APIMachinery
import Storage

/// DELETE of a CRD (upstream's customresourcedefinition REST Delete): the first request marks it
/// (deletionTimestamp), adds the `customresourcecleanup.apiextensions.k8s.io` finalizer and the
/// Terminating condition; `CustomResourceDefinitionController` then deletes every custom object and
/// removes the finalizer, which removes the CRD.
enum CustomResourceDefinitionDeletion {
    static let cleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io"

    static func delete(_ store: ResourceStore, name: String, options: DeleteOptions) throws(APIError) -> DeleteResult {
        let storageKey = store.key(namespace: nil, name: name)
        for _ in 0..<ResourceStore.maxConflictRetries {
            let latest = store.storage.latest(storageKey)
            if !store.settled(latest) { continue }
            guard let current = latest.object else { throw APIError.notFound(store.groupResource, name) }
            try store.checkPreconditions(current, options: options, name: name)
            var object = current.object
            if object[path: "metadata", "deletionTimestamp"] == nil {
                object[path: "metadata", "deletionTimestamp"] = .string(store.now())
                object[path: "metadata", "deletionGracePeriodSeconds"] = 0
            }
            var finalizers = (object[path: "metadata", "finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
            if !finalizers.contains(cleanupFinalizer) { finalizers.append(cleanupFinalizer) }
            object[path: "metadata", "finalizers"] = .array(finalizers.map(JSON.string))
            if !CustomResourceDefinitionView(object).isConditionTrue(CustomResourceDefinitionView.Condition.terminating) {
                CustomResourceDefinitionConditions.set(
                    &object, type: CustomResourceDefinitionView.Condition.terminating, status: "True", reason: "InstanceDeletionPending",
                    message: "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon", now: store.now())
            }
            if options.dryRun { return .marked(object) }
            if object == current.object { return .marked(current.object) }
            do {
                return .marked(try store.storage.update(storageKey, expectedRevision: current.revision, object).object)
            } catch {
                if case .conflict = error { continue }
                throw store.interpret(error, name: name)
            }
        }
        throw APIError.conflict(store.groupResource, name, APIError.modifiedSinceRead)
    }
}
