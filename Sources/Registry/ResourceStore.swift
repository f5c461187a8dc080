import APIMachinery
import Foundation
import Storage

/// The generic store for one resource, as upstream's genericregistry.Store: every verb is implemented
/// once here, and the resource's `ResourceStrategy` supplies what differs between kinds.
public final class ResourceStore: @unchecked Sendable {
    public let strategy: any ResourceStrategy
    public let storage: any Storage
    let schemas: SchemaSet
    public let clock: any Clock
    /// Set once by `Registry.init`; used for cross-resource checks such as namespace existence.
    weak var registry: Registry?

    init(strategy: any ResourceStrategy, storage: any Storage, schemas: SchemaSet, clock: any Clock) {
        self.strategy = strategy
        self.storage = storage
        self.schemas = schemas
        self.clock = clock
    }

    /// How often a write that lost a compare-and-swap race is re-run against the newer object before
    /// the client is told to retry; high because losing is a scheduling accident, not an error.
    static let maxConflictRetries = 1_000

    public var resource: APIResource { strategy.resource }
    var groupResource: GroupResource { resource.groupResource }
    /// The resource part of this store's storage keys (`statefulsets.apps`).
    public var storageResource: String { groupResource.description }
    /// The resource name objects are stored and watched under.
    public var storageResourceName: String { storageResource }

    func key(namespace: String?, name: String) -> StorageKey {
        StorageKey(resource: storageResource, namespace: resource.namespaced ? (namespace ?? "") : "", name: name)
    }

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

    /// Maps storage failures to API errors: the one place this translation happens.
    func apiError(_ error: StorageError, name: String) -> APIError {
        switch error {
        case .alreadyExists: return .alreadyExists(groupResource, name)
        case .notFound: return .notFound(groupResource, name)
        case .conflict: return .conflict(groupResource, name, APIError.modifiedSinceRead)
        case .compacted(let requested, let oldest):
            return .gone("too old resource version: \(requested) (\(oldest))")
        case .unavailable(let why): return .internalError(why)
        }
    }

    func now() -> String { Timestamp.format(clock.now()) }
}
