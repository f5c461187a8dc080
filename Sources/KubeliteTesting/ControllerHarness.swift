import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Storage

/// An in-process cluster: registry (with its watch hub) and controller context on manual timers.
public struct ControllerHarness {
    public let registry: Registry
    public let timers = ManualTimers()
    public let context: ControllerContext

    public init() throws {
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream, clock: timers)
        try registry.bootstrap()
        try registry.enforceBootstrapRBAC()
        context = ControllerContext(registry: registry, timers: timers)
    }

    public func store(_ plural: String, group: String = "") -> ResourceStore { registry.store(group: group, plural: plural)! }

    @discardableResult
    public func create(_ plural: String, _ body: JSON, namespace: String? = "default", group: String = "") throws -> JSON {
        try store(plural, group: group).create(namespace: namespace, body: RequestBody(value: body), options: WriteOptions()).object
    }

    public func get(_ plural: String, _ name: String, namespace: String? = "default", group: String = "") -> JSON? {
        try? store(plural, group: group).get(namespace: namespace, name: name).object
    }
}

extension Registry {
    /// Makes the bootstrap roles and bindings and puts RBAC in force, as a served cluster has them:
    /// controllers started with `ControllerManager.start` then write as their own users and are
    /// refused what their roles do not grant.
    public func enforceBootstrapRBAC() throws {
        try bootstrapRBAC()
        configureAuthorization(modes: [.rbac])
    }
}
