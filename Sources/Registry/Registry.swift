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
    /// ClusterIPs of Services.
    public let serviceIPs: ServiceIPAllocator
    /// Node ports of NodePort and LoadBalancer Services.
    public let nodePorts: NodePortAllocator

    public static let defaultServiceCIDR = "10.96.0.0/12"

    public init(storage: any Storage, strategies: [any ResourceStrategy], schemas: SchemaSet, clock: any Clock = SystemClock(),
                serviceCIDR: String = Registry.defaultServiceCIDR, nodePortRange: ClosedRange<Int> = NodePortAllocator.defaultRange) {
        self.storage = storage
        // An invalid range falls back to the default; callers validate flags with ServiceIPAllocator.validate(cidr:).
        self.serviceIPs = ServiceIPAllocator(cidr: serviceCIDR, storage: storage)
            ?? ServiceIPAllocator(cidr: Registry.defaultServiceCIDR, storage: storage)!
        self.nodePorts = NodePortAllocator(range: nodePortRange, storage: storage)
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

    /// Creates what a fresh cluster has: the namespaces `default`, `kube-system`, `kube-public`,
    /// `kube-node-lease`, and the `kubernetes` Service in `default` on the first service address.
    public func bootstrap() throws(APIError) {
        guard let namespaces = store(group: "", plural: "namespaces") else { return }
        for name in ResourceCatalog.initialNamespaces where (try? namespaces.get(namespace: nil, name: name)) == nil {
            let body: JSON = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
            _ = try namespaces.create(namespace: nil, body: RequestBody(value: body), options: WriteOptions())
        }
        if let services = store(group: "", plural: "services"), (try? services.get(namespace: "default", name: "kubernetes")) == nil {
            let body: JSON = [
                "apiVersion": "v1", "kind": "Service",
                "metadata": ["name": "kubernetes", "labels": ["component": "apiserver", "provider": "kubernetes"]],
                "spec": [
                    "clusterIP": .string(serviceIPs.kubernetesServiceIP),
                    "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443]],
                    "sessionAffinity": "None", "type": "ClusterIP",
                ],
            ]
            _ = try services.create(namespace: "default", body: RequestBody(value: body), options: WriteOptions())
        }
    }

    /// Whether a namespace exists (and, if so, whether it is being terminated).
    func namespacePhase(_ name: String) -> String? {
        guard let ns = storage.get(StorageKey(resource: "namespaces", namespace: "", name: name)) else { return nil }
        return ns.object[path: "status", "phase"]?.stringValue ?? "Active"
    }
}
