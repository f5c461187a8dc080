import APIMachinery
import Storage

/// The `namespaces/finalize` subresource (upstream's FinalizeREST): a PUT of the namespace that
/// goes through the namespace's own update preparation and validation, without the main
/// resource's pool bookkeeping.
public struct NamespaceFinalizeStore: Sendable {
    /// The namespaces' store.
    public let namespaces: ResourceStore

    /// nil unless `namespaces` is the store of core/v1 namespaces.
    public init?(namespaces: ResourceStore) {
        guard namespaces.resource.groupResource == NamespaceLifecycle.namespaces else { return nil }
        self.namespaces = namespaces
    }

    public func update(name: String, body: RequestBody, options: WriteOptions) throws(APIError) -> WriteResult {
        let store = namespaces
        return try store.update(namespace: nil, name: name, body: body, options: options,
                                scope: .subresource { object, old in store.prepareResourceUpdate(&object, old: old) }, subresource: "finalize")
    }
}
