import APIMachinery

/// Where an object lives in storage: its resource (`statefulsets.apps`), namespace ("" for
/// cluster-scoped objects) and name. Ordered by namespace then name, the order lists are served in.
public struct StorageKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var resource: String
    public var namespace: String
    public var name: String

    public init(resource: String, namespace: String, name: String) {
        self.resource = resource; self.namespace = namespace; self.name = name
    }

    public static func < (a: StorageKey, b: StorageKey) -> Bool {
        if a.resource != b.resource { return a.resource < b.resource }
        if a.namespace != b.namespace { return a.namespace < b.namespace }
        return a.name < b.name
    }

    /// etcd-style path, as upstream lays keys out: `/registry/<resource>/<namespace>/<name>`.
    public var description: String {
        namespace.isEmpty ? "/registry/\(resource)/\(name)" : "/registry/\(resource)/\(namespace)/\(name)"
    }
}

/// One stored object: its encoded JSON (served without re-encoding), the revision that last
/// modified it (its resourceVersion) and the decoded value.
///
/// The bytes are the object; its tree is kept only while recently read (`DecodedTreeCache`): an
/// object written through the API starts with the tree it was written from, one read back from
/// bytes (a restart's rows) builds it when first read, and either is built again after eviction.
/// So memory grows with the stored JSON, not with five times it, and a restart only checks that
/// each row is JSON.
public struct StoredObject: Sendable {
    public let key: StorageKey
    public let bytes: [UInt8]
    public let revision: Int64
    private let tree: DeferredTree

    /// The decoded value.
    public var object: JSON { tree.value(of: bytes) }

    public init(key: StorageKey, object: JSON, bytes: [UInt8], revision: Int64) {
        self.key = key; self.revision = revision
        self.bytes = Self.fitted(bytes)
        tree = DeferredTree(tree: object, cost: Self.cost(of: self.bytes), cache: .shared)
    }

    /// An object known only by its bytes, which must be one JSON value (`JSONValidator`): its tree
    /// is built when first read.
    public init(key: StorageKey, validatedBytes bytes: [UInt8], revision: Int64) {
        self.key = key; self.revision = revision
        self.bytes = Self.fitted(bytes)
        tree = DeferredTree(cost: Self.cost(of: self.bytes), cache: .shared)
    }

    private static func cost(of bytes: [UInt8]) -> Int { bytes.count * DecodedTreeCache.treeBytesPerJSONByte }

    /// An encoder's buffer grows by doubling, so it may be half empty; a stored object lives as long
    /// as the object does, so it keeps a copy of just its bytes (a third less memory per object).
    private static func fitted(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.capacity - bytes.count > 64 else { return bytes }
        return [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: bytes)
        }
    }
}

/// A change, in revision order. For deletions `object` is the last state stamped with the deletion revision.
public struct StorageEvent: Sendable {
    public enum Kind: String, Sendable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }
    public let kind: Kind
    public let object: StoredObject
    public let previous: StoredObject?
    public var revision: Int64 { object.revision }

    public init(kind: Kind, object: StoredObject, previous: StoredObject?) {
        self.kind = kind; self.object = object; self.previous = previous
    }
}

/// Failures of storage operations; the registry turns them into API errors in one place.
public enum StorageError: Error, Sendable, Equatable {
    case alreadyExists(StorageKey)
    case notFound(StorageKey)
    /// The object changed since the revision the caller based its write on.
    case conflict(StorageKey, currentRevision: Int64)
    /// The requested revision is older than the retained history.
    case compacted(requested: Int64, oldest: Int64)
    /// The backend could not persist the write.
    case unavailable(String)
    /// No member of the backend (etcd) could be reached: the write was not made.
    case unreachable(String)
    /// The backend answered with an error of its own (etcd's "etcdserver: request timed out", "no
    /// leader"), its text kept as the backend wrote it.
    case backendFailure(String)
    /// The watch cache did not reach the revision a read needs (`requested`) within its wait, and
    /// was at `current` (upstream's "Too large resource version").
    case revisionNotReached(requested: Int64, current: Int64)
}

