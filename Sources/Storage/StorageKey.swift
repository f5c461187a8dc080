import APIMachinery
import Synchronization

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
/// An object written through the API already has its tree, and keeps it. An object read back from
/// bytes alone (a restart's rows) decodes on first use: the restart then only checks that each row
/// is JSON, and the API is ready before anything has built a tree; the controllers' informers build
/// them afterwards, as they catch up.
public struct StoredObject: Sendable {
    public let key: StorageKey
    public let bytes: [UInt8]
    public let revision: Int64
    private let tree: Tree

    private enum Tree: Sendable {
        case decoded(JSON)
        case deferred(DeferredTree)
    }

    /// The decoded value.
    public var object: JSON {
        switch tree {
        case .decoded(let object): return object
        case .deferred(let deferred): return deferred.value(of: bytes)
        }
    }

    public init(key: StorageKey, object: JSON, bytes: [UInt8], revision: Int64) {
        self.key = key; self.tree = .decoded(object); self.revision = revision
        self.bytes = Self.fitted(bytes)
    }

    /// An object known only by its bytes, which must be one JSON value (`JSONParser.validate`):
    /// its tree is built when first asked for.
    public init(key: StorageKey, validatedBytes bytes: [UInt8], revision: Int64) {
        self.key = key; self.tree = .deferred(DeferredTree()); self.revision = revision
        self.bytes = Self.fitted(bytes)
    }

    /// An encoder's buffer grows by doubling, so it may be half empty; a stored object lives as long
    /// as the object does, so it keeps a copy of just its bytes (a third less memory per object).
    private static func fitted(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.capacity - bytes.count > 64 else { return bytes }
        return [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: bytes)
        }
    }
}

/// The tree of a stored object read back from bytes: built once, by the first reader, and shared by
/// every copy of the object (and every reader after).
final class DeferredTree: Sendable {
    private let state = Mutex<JSON?>(nil)

    func value(of bytes: [UInt8]) -> JSON {
        if let decoded = state.withLock({ $0 }) { return decoded }
        // Decoded outside the lock: two first readers may both decode, and the first one kept wins.
        // The bytes were validated when the object was made, so this cannot fail.
        let decoded = (try? JSONParser.parse(bytes).value) ?? .null
        return state.withLock { kept in
            if let kept { return kept }
            kept = decoded
            return decoded
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

