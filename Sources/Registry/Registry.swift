import APIMachinery
import Foundation
import Storage

/// All served resources over one storage: the entry point the API server and the controllers write
/// through, so every client gets the same defaults, validation and conflicts.
public final class Registry: Sendable {
    public let storage: any Storage
    public let schemas: SchemaSet
    public let clock: any Clock
    private let stores: [GroupResource: ResourceStore]
    /// Resources in discovery order.
    public let resources: [APIResource]

    public init(storage: any Storage, strategies: [any ResourceStrategy], schemas: SchemaSet, clock: any Clock = SystemClock()) {
        self.storage = storage
        self.schemas = schemas
        self.clock = clock
        self.resources = strategies.map(\.resource)
        var stores: [GroupResource: ResourceStore] = [:]
        for strategy in strategies {
            stores[strategy.resource.groupResource] = ResourceStore(strategy: strategy, storage: storage, schemas: schemas, clock: clock)
        }
        self.stores = stores
        for store in stores.values { store.registry = self }
    }

    public func store(_ resource: GroupResource) -> ResourceStore? { stores[resource] }

    public func store(group: String, plural: String) -> ResourceStore? {
        stores[GroupResource(group: group, resource: plural)]
    }

    /// Creates the namespaces a fresh cluster has (`default`, `kube-system`, ...) if missing.
    public func bootstrap() throws(APIError) {
        guard let namespaces = store(group: "", plural: "namespaces") else { return }
        for name in ResourceCatalog.initialNamespaces where (try? namespaces.get(namespace: nil, name: name)) == nil {
            let body: JSON = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
            _ = try namespaces.create(namespace: nil, body: RequestBody(value: body), options: WriteOptions())
        }
    }

    /// Whether a namespace exists (and, if so, whether it is being terminated).
    func namespacePhase(_ name: String) -> String? {
        guard let ns = storage.get(StorageKey(resource: "namespaces", namespace: "", name: name)) else { return nil }
        return ns.object[path: "status", "phase"]?.stringValue ?? "Active"
    }
}
