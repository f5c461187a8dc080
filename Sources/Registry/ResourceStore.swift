import APIMachinery
import Foundation
import Storage

/// The generic store for one resource, as upstream's genericregistry.Store: every verb is implemented
/// once here, and the resource's `ResourceStrategy` supplies what differs between kinds.
/// Subresources are their own types beside it (`StatusStore`, `ScaleStore`, `BindingStore`,
/// `NamespaceFinalizeStore`), as upstream's StatusREST, ScaleREST and BindingREST are.
public final class ResourceStore: @unchecked Sendable {
    public let strategy: any ResourceStrategy
    let storage: any Storage
    let hub: WatchHub
    let schemas: SchemaSet
    public let clock: any Clock
    /// Cross-resource reads (namespace existence, pools, StorageClasses), injected by Registry.
    let cluster: ClusterLookup
    /// Replaces the generic DELETE for a resource whose deletion is a process (namespaces), as
    /// upstream's REST types wrap the store's Delete; set once by `Registry.init`.
    /// A check of who may write what, run after validation on creates and updates of the resource
    /// (RBAC's escalation prevention, as upstream's policybased storage wraps the RBAC stores);
    /// set once by `Registry.init`.
    var writeAuthorization: (@Sendable (_ object: JSON, _ old: JSON?, _ options: WriteOptions) throws(APIError) -> Void)?
    var deletion: (@Sendable (ResourceStore, String, DeleteOptions) throws(APIError) -> DeleteResult)?
    /// Where the kind's field types come from for managedFields and apply: the built-in OpenAPI
    /// definitions unless a store is given another (a custom resource's schema). A function, so
    /// start-up does not convert the definitions before the first write.
    let fieldTypeSchema: @Sendable () -> any FieldTypeSchema
    /// Table rows of this resource's objects per revision, for Table LISTs (see `TableRowCache`).
    public let tableRows = TableRowCache()

    init(strategy: any ResourceStrategy, storage: any Storage, hub: WatchHub, schemas: SchemaSet, clock: any Clock,
         cluster: ClusterLookup, fieldTypeSchema: @escaping @Sendable () -> any FieldTypeSchema = { OpenAPIFieldTypes.upstream }) {
        self.fieldTypeSchema = fieldTypeSchema
        self.strategy = strategy
        self.storage = storage
        self.hub = hub
        self.schemas = schemas
        self.clock = clock
        self.cluster = cluster
    }

    /// How often a write that lost a compare-and-swap race is re-run against the newer object before
    /// the client is told to retry; high because losing is a scheduling accident, not an error.
    static let maxConflictRetries = 1_000

    public var resource: APIResource { strategy.resource }
    var groupResource: GroupResource { resource.groupResource }
    /// The resource part of this store's storage keys (`statefulsets.apps`); a version view's are
    /// its storage version's (`events` for events.k8s.io).
    public var storageResource: String { (strategy.conversion?.storageResource.groupResource ?? groupResource).description }
    /// The resource name objects are stored and watched under.
    public var storageResourceName: String { storageResource }

    func key(namespace: String?, name: String) -> StorageKey {
        StorageKey(resource: storageResource, namespace: resource.namespaced ? (namespace ?? "") : "", name: name)
    }

    /// GET: the object as stored, with its encoded bytes (written to the client as they are).
    public func get(namespace: String?, name: String) throws(APIError) -> StoredObject {
        guard let stored = storage.get(key(namespace: namespace, name: name)) else {
            throw APIError.notFound(groupResource, name)
        }
        return stored
    }

    /// All objects in a namespace (or all namespaces when nil), sorted by namespace and name.
    public func list(namespace: String?) -> (items: [StoredObject], revision: Int64) {
        storage.list(resource: storageResource, namespace: resource.namespaced ? namespace : nil)
    }

    /// A storage failure on object `name` of this resource, as an API error (see `StorageErrors`).
    func interpret(_ error: StorageError, name: String) -> APIError {
        StorageErrors.interpret(error, during: .object(groupResource, name: name))
    }

    func now() -> String { Timestamp.format(clock.now()) }
}
