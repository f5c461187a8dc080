import APIMachinery
import Storage

/// Where a read is served from, as upstream's "semantics for get and list" table has it.
public enum ReadPoint: Equatable, Sendable {
    /// The newest state (a consistent read; also resourceVersion "0", which allows any).
    case newest
    /// The newest state once the store has reached the revision.
    case notOlderThan(Int64)
    /// The state at exactly the revision.
    case exact(Int64)
    /// The next page of a paged list.
    case continuing(ContinueToken)
}

/// One page of a list as a client asks for it: scope, size, filter and read point.
public struct ListQuery {
    /// Only this namespace; nil for all (ignored for cluster-scoped resources).
    public var namespace: String?
    /// At most this many objects; 0 or less for all.
    public var limit: Int
    /// Objects it rejects are skipped and not counted; nil keeps remainingItemCount available.
    public var predicate: ((StoredObject) -> Bool)?
    public var point: ReadPoint

    public init(namespace: String?, limit: Int = 0, predicate: ((StoredObject) -> Bool)? = nil, point: ReadPoint = .newest) {
        self.namespace = namespace; self.limit = limit; self.predicate = predicate; self.point = point
    }
}

extension ResourceStore {
    /// LIST: one page at the query's read point, items as stored (their encoded bytes are written
    /// as they are, nothing is decoded here).
    public func list(_ query: ListQuery) throws(APIError) -> ListPage {
        let scope = resource.namespaced ? query.namespace : nil
        var read = ListRequest(resource: storageResource, namespace: scope, limit: query.limit, predicate: query.predicate)
        switch query.point {
        case .newest:
            break
        case .notOlderThan(let revision):
            try waitUntilFresh(revision)
        case .exact(let revision):
            try waitUntilFresh(revision)
            read.revision = revision
        case .continuing(let token):
            // A negative revision (handed out with a 410) continues at the newest state.
            read.revision = token.revision > 0 ? token.revision : nil
            read.from = token.from(resource: read.resource, namespace: scope, namespaced: resource.namespaced)
        }
        do {
            return try storage.list(read)
        } catch {
            throw StorageErrors.interpret(error, during: .list(query.point))
        }
    }
}
