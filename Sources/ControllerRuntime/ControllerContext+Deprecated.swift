import Registry

/// The watch hub the context used to lend out, kept so callers move to the registry's stores one at
/// a time: `informer.start(on: context.hub)` still compiles and watches through the store.
extension ControllerContext {
    @available(*, deprecated, message: "informers watch through the registry: informer.start(on: context.store(resource))")
    public var hub: ControllerContext { self }

    /// The store whose storage resource name (`pods`, `statefulsets.apps`) is `name`.
    func store(storageResource name: String) -> ResourceStore {
        guard let resource = registry.resources.first(where: { $0.groupResource.description == name }) else {
            preconditionFailure("\(name) is not served")
        }
        return store(resource.groupResource)
    }
}

extension Informer {
    @available(*, deprecated, message: "use start(on: context.store(resource))")
    public func start(on context: ControllerContext) {
        start(on: context.store(storageResource: resource))
    }
}
