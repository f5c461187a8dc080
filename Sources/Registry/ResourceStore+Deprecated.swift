import APIMachinery

/// The entry points subresources had before they became their own types, kept so callers move over
/// one at a time; each forwards to the subresource's store.
extension ResourceStore {
    @available(*, deprecated, message: "use StatusStore (registry.status(_:)) or NamespaceFinalizeStore")
    public func update(namespace: String?, name: String, body: RequestBody, options: WriteOptions,
                       subresource: String?) throws(APIError) -> WriteResult {
        switch subresource {
        case nil: return try update(namespace: namespace, name: name, body: body, options: options)
        case "status": return try StatusStore(store: self).update(namespace: namespace, name: name, body: body, options: options)
        case "finalize":
            guard let finalize = NamespaceFinalizeStore(namespaces: self) else { throw APIError.pathNotFound }
            return try finalize.update(name: name, body: body, options: options)
        default: throw APIError.pathNotFound
        }
    }

    @available(*, deprecated, message: "use StatusStore (registry.status(_:))")
    public func patch(namespace: String?, name: String, type: PatchType, patch: RequestBody, options: WriteOptions,
                      subresource: String?) throws(APIError) -> WriteResult {
        switch subresource {
        case nil: return try self.patch(namespace: namespace, name: name, type: type, patch: patch, options: options)
        case "status": return try StatusStore(store: self).patch(namespace: namespace, name: name, type: type, patch: patch, options: options)
        default: throw APIError.pathNotFound
        }
    }

    @available(*, deprecated, message: "use BindingStore (registry.podBinding)")
    public func bind(namespace: String?, name: String, binding: JSON, options: WriteOptions) throws(APIError) -> JSON {
        guard let bindings = BindingStore(pods: self) else { throw APIError.pathNotFound }
        return try bindings.create(namespace: namespace, name: name, binding: binding, options: options)
    }
}
