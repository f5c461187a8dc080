import APIMachinery
import Storage

/// The `status` subresource (upstream's StatusREST): the same object as the main resource, but a
/// write through it changes only `status`; spec, metadata (labels, finalizers, generation) stay as
/// stored, as upstream's status strategies and ResetObjectMetaForStatus keep them.
public struct StatusStore: Sendable {
    /// The main resource's store.
    public let store: ResourceStore

    public init(store: ResourceStore) { self.store = store }

    /// GET on status: the whole object, as upstream answers it.
    public func get(namespace: String?, name: String) throws(APIError) -> StoredObject {
        try store.get(namespace: namespace, name: name)
    }

    /// PUT on status: the body's status replaces the stored one, guarded by its resourceVersion.
    public func update(namespace: String?, name: String, body: RequestBody, options: WriteOptions) throws(APIError) -> WriteResult {
        try store.update(namespace: namespace, name: name, body: body, options: options, scope: scope, subresource: "status")
    }

    /// PATCH on status: the patch sees the whole object, but only status survives.
    public func patch(namespace: String?, name: String, type: PatchType, patch: RequestBody,
                      options: WriteOptions) throws(APIError) -> WriteResult {
        try store.patch(namespace: namespace, name: name, type: type, patch: patch, options: options, scope: scope, subresource: "status")
    }

    /// The stored object with the new status and the resourceVersion being replaced. Deployments
    /// also take the new annotations: upstream's deploymentStatusStrategy resets only spec and
    /// labels, and the controller writes `deployment.kubernetes.io/revision` that way.
    var scope: UpdateScope {
        let keepsAnnotations = store.resource.group == "apps" && store.resource.plural == "deployments"
        return .status { object, old in
            var merged = old
            merged["status"] = object["status"]
            if keepsAnnotations { merged[path: "metadata", "annotations"] = object[path: "metadata", "annotations"] }
            merged[path: "metadata", "resourceVersion"] = object[path: "metadata", "resourceVersion"]
            object = merged
        }
    }
}
