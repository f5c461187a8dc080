import APIMachinery

/// The subresources' stores, each beside its parent's generic store as upstream's REST types are;
/// nil where the resource does not serve the subresource.
extension Registry {
    /// `<resource>/status`.
    public func status(_ resource: GroupResource) -> StatusStore? {
        guard let store = store(resource), store.resource.subresources.contains("status") else { return nil }
        return StatusStore(store: store)
    }

    /// `<resource>/status` of the version a store serves (a version view's status writes convert too).
    public func status(of store: ResourceStore) -> StatusStore? {
        store.resource.subresources.contains("status") ? StatusStore(store: store) : nil
    }

    /// `<resource>/scale`.
    public func scale(_ resource: GroupResource) -> ScaleStore? {
        guard let store = store(resource), store.resource.subresources.contains("scale") else { return nil }
        return ScaleStore(store: store)
    }

    /// `pods/binding`.
    public var podBinding: BindingStore? {
        store(BindingStore.podsResource).flatMap { BindingStore(pods: $0) }
    }

    /// `namespaces/finalize`.
    public var namespaceFinalize: NamespaceFinalizeStore? {
        store(NamespaceLifecycle.namespaces).flatMap { NamespaceFinalizeStore(namespaces: $0) }
    }
}
