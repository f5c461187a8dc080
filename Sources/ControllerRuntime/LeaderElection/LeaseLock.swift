import APIMachinery
import Registry
import Storage

/// A Lease used as a lock (client-go's resourcelock.LeaseLock): read it, and write it back only if
/// nobody changed it since (the object's resourceVersion is the precondition), so two candidates
/// that both see an expired Lease cannot both take it: one update wins, the other gets a conflict.
public struct LeaseLock: Sendable {
    public let namespace: String
    public let name: String
    let store: ResourceStore

    /// `store` is the registry's `leases.coordination.k8s.io`: every write goes through its
    /// validation like any client's.
    public init(namespace: String, name: String, store: ResourceStore) {
        self.namespace = namespace
        self.name = name
        self.store = store
    }

    /// The Lease as last read: the record and the object it came from (kept to write over).
    struct Observed: Sendable {
        var record: LeaderElectionRecord
        var object: JSON
    }

    /// The Lease, or nil when it does not exist.
    func get() throws(APIError) -> Observed? {
        do {
            let object = try store.get(namespace: namespace, name: name).object
            return Observed(record: LeaderElectionRecord(lease: object), object: object)
        } catch where error.isNotFound {
            return nil
        }
    }

    /// Creates the Lease; fails with AlreadyExists when another candidate was first.
    func create(_ record: LeaderElectionRecord) throws(APIError) -> Observed {
        let lease: JSON = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": record.spec,
        ]
        let object = try store.create(namespace: namespace, body: RequestBody(value: lease), options: Self.writeOptions).object
        return Observed(record: record, object: object)
    }

    /// Writes `record` over `observed`; fails with a conflict when the Lease changed since it was read.
    func update(_ observed: Observed, to record: LeaderElectionRecord) throws(APIError) -> Observed {
        var lease = observed.object
        lease["spec"] = record.spec
        let object = try store.update(namespace: namespace, name: name, body: RequestBody(value: lease), options: Self.writeOptions).object
        return Observed(record: record, object: object)
    }

    /// "<namespace>/<name>", as client-go's Describe names the lock in its logs.
    public var description: String { "\(namespace)/\(name)" }

    private static let writeOptions = WriteOptions(fieldManager: "leader-election")
}
