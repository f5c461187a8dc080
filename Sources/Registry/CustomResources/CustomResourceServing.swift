import APIMachinery
import Foundation
import Storage

/// The custom resources being served: one generic store per served version of every Established
/// CRD, made and replaced as the CRDs change (upstream's crdHandler keeps a crdInfo per CRD, made
/// again when its resourceVersion moves). Every version's store shares the storage key prefix
/// `<plural>.<group>`, so they all see the same objects and watches.
final class CustomResourceServing: @unchecked Sendable {
    struct Served {
        /// The CRD's resourceVersion the stores were made from.
        let revision: Int64
        let crd: CustomResourceDefinitionView
        /// Served versions in the CRD's order.
        let stores: [String: ResourceStore]
        let storageVersion: String
        let order: [String]
    }

    private let lock = NSLock()
    /// By CRD name (`<plural>.<group>`).
    private var served: [String: Served] = [:]
    /// By accepted group and plural, the CRD name.
    private var byResource: [GroupResource: String] = [:]
    private var observers: [@Sendable ([APIResource]) -> Void] = []
    private let makeStore: @Sendable (any ResourceStrategy) -> ResourceStore
    let schemas: any CustomResourceSchemaCompiler

    init(schemas: any CustomResourceSchemaCompiler, makeStore: @escaping @Sendable (any ResourceStrategy) -> ResourceStore) {
        self.schemas = schemas
        self.makeStore = makeStore
    }

    /// Serves (or serves anew) an Established CRD's versions; no-op when they were made from this revision.
    func install(_ stored: StoredObject) {
        let crd = CustomResourceDefinitionView(stored.object)
        lock.lock()
        if served[crd.name]?.revision == stored.revision { lock.unlock(); return }
        lock.unlock()
        var stores: [String: ResourceStore] = [:]
        var order: [String] = []
        for version in crd.versions where version.served {
            let strategy = CustomResourceStrategy(definition: crd, version: version, schema: schemas.compile(version.schema))
            stores[version.name] = makeStore(strategy)
            order.append(version.name)
        }
        guard let storageVersion = crd.storageVersion, !order.isEmpty else { remove(crd.name); return }
        let entry = Served(revision: stored.revision, crd: crd, stores: stores, storageVersion: storageVersion, order: order)
        let resource = GroupResource(group: crd.group, resource: crd.acceptedNames.plural)
        lock.lock()
        let isNew = served[crd.name] == nil
        if let previous = served[crd.name] {
            byResource[GroupResource(group: previous.crd.group, resource: previous.crd.acceptedNames.plural)] = nil
        }
        served[crd.name] = entry
        byResource[resource] = crd.name
        let observers = self.observers
        lock.unlock()
        if isNew {
            let resources = order.compactMap { stores[$0]?.resource }
            for observer in observers { observer(resources) }
        }
    }

    /// Stops serving a CRD's resources (it is gone).
    func remove(_ name: String) {
        lock.lock(); defer { lock.unlock() }
        guard let previous = served.removeValue(forKey: name) else { return }
        byResource[GroupResource(group: previous.crd.group, resource: previous.crd.acceptedNames.plural)] = nil
    }

    /// The store serving `version` of a custom resource; without a version, its storage version's.
    func store(_ resource: GroupResource, version: String? = nil) -> ResourceStore? {
        lock.lock(); defer { lock.unlock() }
        guard let name = byResource[resource], let entry = served[name] else { return nil }
        return entry.stores[version ?? entry.storageVersion]
    }

    /// The CRD behind a served resource, as its stores were made from it.
    func definition(named name: String) -> CustomResourceDefinitionView? {
        lock.lock(); defer { lock.unlock() }
        return served[name]?.crd
    }

    /// Every served version of every custom resource, CRDs by name, versions in their order.
    var resources: [APIResource] {
        lock.lock(); defer { lock.unlock() }
        return served.keys.sorted().flatMap { name in
            served[name].map { entry in entry.order.compactMap { entry.stores[$0]?.resource } } ?? []
        }
    }

    /// The storage-version store of every custom resource.
    var storageStores: [ResourceStore] {
        lock.lock(); defer { lock.unlock() }
        return served.values.compactMap { $0.stores[$0.storageVersion] }
    }

    /// Calls `observer` with the versions of each custom resource that starts being served (not
    /// again when its CRD changes); resources already served are handed over at once.
    func observe(_ observer: @escaping @Sendable ([APIResource]) -> Void) {
        lock.lock()
        observers.append(observer)
        let current = served.values.map { entry in entry.order.compactMap { entry.stores[$0]?.resource } }
        lock.unlock()
        for resources in current { observer(resources) }
    }
}
