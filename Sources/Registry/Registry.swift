import APIMachinery
import Foundation
import Storage

/// All served resources over one storage: the entry point the API server and the controllers read,
/// write and watch through, so every client gets the same defaults, validation, conflicts and events.
public final class Registry: Sendable {
    /// The backend, for wiring (durability, shutdown) and storage-level tests; requests and
    /// controllers go through the stores.
    public let storage: any Storage
    public let schemas: SchemaSet
    public let clock: any Clock
    private let stores: [GroupResource: ResourceStore]
    /// Version views of built-in resources (events.k8s.io/v1 Events, autoscaling/v1
    /// HorizontalPodAutoscalers): by resource, then version; each reads and writes the objects of
    /// its storage version's store.
    private let versionViews: [GroupResource: [String: ResourceStore]]
    /// Resources in discovery order.
    public let resources: [APIResource]
    /// ClusterIPs of Services.
    public let serviceIPs: ServiceIPAllocator
    /// Node ports of NodePort and LoadBalancer Services.
    public let nodePorts: NodePortAllocator
    /// Fans storage changes out to every watch (HTTP streams, informers, the garbage collector);
    /// its storage listener lives as long as the registry.
    let watchHub: WatchHub
    let namespaceLifecycle: NamespaceLifecycle
    /// The custom resources of Established CRDs, served beside the built-in stores.
    let customResources: CustomResourceServing
    let customResourceDefinitions: CustomResourceDefinitionController?
    let podConnectionSlot = PodConnectionSlot()
    let resourceMetricsSlot = ResourceMetricsSlot()
    let tokenIssuerSlot = TokenIssuerSlot()
    let authorizerSlot = AuthorizerSlot()
    let inProcessAuditorSlot = InProcessAuditorSlot()
    /// The RBAC objects as the authorizer and the escalation checks read them.
    let rbacPolicy: RBACPolicyCache

    public static let defaultServiceCIDR = "10.96.0.0/12"

    /// - Parameter watch: bookmark interval and watch timeout of the registry's watch hub.
    public init(storage: any Storage, strategies: [any ResourceStrategy], schemas: SchemaSet, clock: any Clock = SystemClock(),
                serviceCIDR: String = Registry.defaultServiceCIDR, nodePortRange: ClosedRange<Int> = NodePortAllocator.defaultRange,
                watch: WatchHub.Configuration = WatchHub.Configuration(),
                customResourceSchemas: any CustomResourceSchemaCompiler = .current) {
        self.storage = storage
        self.rbacPolicy = RBACPolicyCache(storage: storage)
        // An invalid range falls back to the default; callers validate flags with ServiceIPAllocator.validate(cidr:).
        self.serviceIPs = ServiceIPAllocator(cidr: serviceCIDR, storage: storage)
            ?? ServiceIPAllocator(cidr: Registry.defaultServiceCIDR, storage: storage)!
        self.nodePorts = NodePortAllocator(range: nodePortRange, storage: storage)
        self.schemas = schemas
        self.clock = clock
        self.resources = strategies.map(\.resource)
        let hub = WatchHub(storage: storage, configuration: watch)
        self.watchHub = hub
        let lifecycle = NamespaceLifecycle(storage: storage)
        self.namespaceLifecycle = lifecycle
        let storageClasses = StorageClassLister()
        let serviceAccounts = StorageClassLister()
        let ingressClasses = StorageClassLister()
        let priorityClasses = StorageClassLister()
        let limitRanges = StorageClassLister()
        let quotaAdmission = ResourceQuotaAdmission(clock: clock)
        // The lookup holds the lifecycle weakly: the lifecycle holds the stores, which hold the lookup.
        let cluster = ClusterLookup(
            serviceIPs: serviceIPs, nodePorts: nodePorts,
            namespacePhase: { [weak lifecycle] in lifecycle?.phase($0) },
            storageClasses: { storageClasses.list() },
            contentRemoved: { [weak lifecycle] in lifecycle?.contentRemoved(fromNamespace: $0) },
            serviceAccount: { serviceAccounts.get(namespace: $0, name: $1) },
            ingressClasses: { ingressClasses.list() },
            priorityClasses: { priorityClasses.list() },
            limitRanges: { limitRanges.list(namespace: $0) },
            quotaAdmission: { (object, resource, namespace, dryRun) throws(APIError) in
                try quotaAdmission.admit(object, resource: resource, namespace: namespace, dryRun: dryRun)
            })
        var stores: [GroupResource: ResourceStore] = [:]
        var views: [GroupResource: [String: ResourceStore]] = [:]
        for strategy in strategies {
            if let conversion = strategy.conversion {
                let view = ResourceStore(strategy: strategy, storage: ConvertingStorage(base: storage, conversion: conversion), hub: hub,
                                         schemas: schemas, clock: clock, cluster: cluster)
                views[strategy.resource.groupResource, default: [:]][strategy.resource.version] = view
                continue
            }
            stores[strategy.resource.groupResource] = ResourceStore(strategy: strategy, storage: storage, hub: hub, schemas: schemas,
                                                                    clock: clock, cluster: cluster)
        }
        self.stores = stores
        self.versionViews = views
        storageClasses.store = stores[GroupResource(group: "storage.k8s.io", resource: "storageclasses")]
        serviceAccounts.store = stores[GroupResource(group: "", resource: "serviceaccounts")]
        ingressClasses.store = stores[GroupResource(group: "networking.k8s.io", resource: "ingressclasses")]
        priorityClasses.store = stores[GroupResource(group: "scheduling.k8s.io", resource: "priorityclasses")]
        limitRanges.store = stores[GroupResource(group: "", resource: "limitranges")]
        quotaAdmission.quotas = stores[ResourceQuotaAdmission.quotasResource]
        let serving = CustomResourceServing(schemas: customResourceSchemas) { strategy in
            ResourceStore(strategy: strategy, storage: storage, hub: hub, schemas: schemas, clock: clock, cluster: cluster,
                          fieldTypeSchema: CustomResourceFieldTypes.provider(for: strategy))
        }
        self.customResources = serving
        // Version views are left out: their objects are their storage version's.
        lifecycle.contentStores = strategies.filter { $0.resource.namespaced && $0.conversion == nil }.compactMap { stores[$0.resource.groupResource] }
        lifecycle.customContentStores = { [weak serving] in serving?.storageStores.filter(\.resource.namespaced) ?? [] }
        if let crds = stores[ResourceCatalog.customResourceDefinitions.groupResource] {
            crds.deletion = { (store, name, options) throws(APIError) -> DeleteResult in
                try CustomResourceDefinitionDeletion.delete(store, name: name, options: options)
            }
            // Established CRDs are served before the first request, as after a restart their
            // objects must be reachable at once; the controller then follows the CRDs.
            for crd in crds.list(namespace: nil).items where CustomResourceDefinitionView(crd.object).isEstablished {
                serving.install(crd)
            }
            let controller = CustomResourceDefinitionController(crds: crds, serving: serving)
            self.customResourceDefinitions = controller
            controller.start()
        } else {
            self.customResourceDefinitions = nil
        }
        installRBACWriteAuthorization()
        stores[NamespaceLifecycle.namespaces]?.deletion = { [weak lifecycle] (store, name, options) throws(APIError) -> DeleteResult in
            guard let lifecycle else { throw APIError.internalError("registry gone") }
            return try lifecycle.delete(store, name: name, options: options)
        }
    }

    /// The store of a built-in resource, or of a custom resource's storage version.
    /// A resource served only as a view (events.k8s.io Events) answers with its view.
    public func store(_ resource: GroupResource) -> ResourceStore? {
        stores[resource] ?? versionViews[resource]?.values.first ?? customResources.store(resource)
    }

    public func store(group: String, plural: String) -> ResourceStore? {
        store(GroupResource(group: group, resource: plural))
    }

    /// The store serving one version of a resource (custom resources may serve several).
    public func store(group: String, version: String, plural: String) -> ResourceStore? {
        let resource = GroupResource(group: group, resource: plural)
        if let view = versionViews[resource]?[version] { return view }
        if let store = stores[resource] { return store.resource.version == version ? store : nil }
        return customResources.store(resource, version: version)
    }

    /// Built-in resources, then every served version of the custom resources: what discovery
    /// lists now.
    public var servedResources: [APIResource] { resources + customResources.resources }

    /// Built-in resources as stored: one entry per stored resource (no version views), for whoever
    /// follows every object once (the garbage collector).
    public var storedResources: [APIResource] { resources.filter { versionViews[$0.groupResource]?[$0.version] == nil } }

    /// Calls `observer` with the versions of each custom resource as it starts being served (those
    /// served already at once): for whoever follows every resource (the garbage collector).
    public func observeCustomResources(_ observer: @escaping @Sendable ([APIResource]) -> Void) {
        customResources.observe(observer)
    }

    /// The CRD a custom resource is served from, as its stores were made.
    public func customResourceDefinition(for resource: APIResource) -> CustomResourceDefinitionView? {
        customResources.definition(named: "\(resource.plural).\(resource.group)")
    }

    /// Whether writes return only once durable (and may wait for a group commit).
    public var isDurable: Bool { storage.isDurable }

    /// Number of open watches, all resources.
    public var watcherCount: Int { watchHub.watcherCount }

    /// Ends every watch (server shutdown, test teardown).
    public func stopWatches() { watchHub.stopAll() }

    /// Whether a namespace exists (and, if so, whether it is being terminated).
    func namespacePhase(_ name: String) -> String? { namespaceLifecycle.phase(name) }

    /// Creates what a fresh cluster has: the namespaces `default`, `kube-system`, `kube-public`,
    /// `kube-node-lease`, the `kubernetes` Service in `default` on the first service address, and
    /// the system PriorityClasses.
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
        // The local APIServices of what is served, as the aggregator's autoregistration makes them,
        // and the system priority classes, as the scheduling API's post-start hook makes them.
        var missing: [(ResourceStore, JSON)] = []
        if let apiServices = store(group: "apiregistration.k8s.io", plural: "apiservices") {
            var served: [(String, String)] = []
            for r in resources where !served.contains(where: { $0 == (r.group, r.version) }) { served.append((r.group, r.version)) }
            for (group, version) in served where (try? apiServices.get(namespace: nil, name: "\(version).\(group)")) == nil {
                missing.append((apiServices, APIServiceStrategy.local(group: group, version: version)))
            }
        }
        if let classes = store(group: "scheduling.k8s.io", plural: "priorityclasses") {
            for body in PriorityClassStrategy.systemClasses where (try? classes.get(namespace: nil, name: body.meta.name)) == nil {
                missing.append((classes, body))
            }
        }
        try createSideBySide(missing)
    }
}

/// A store as admission reads it (StorageClasses, ServiceAccounts); weak, as the stores hold the
/// lookup that holds this.
private final class StorageClassLister: @unchecked Sendable {
    /// Set once by `Registry.init`.
    weak var store: ResourceStore?
    func list() -> [StoredObject] { store?.list(namespace: nil).items ?? [] }
    func list(namespace: String) -> [StoredObject] { store?.list(namespace: namespace).items ?? [] }
    func get(namespace: String, name: String) -> JSON? { try? store?.get(namespace: namespace, name: name).object }
}
