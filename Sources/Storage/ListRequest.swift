/// A read of one page of a resource's objects, as upstream's storage GetList takes it: a snapshot
/// revision, a start key, a limit and a predicate that the limit counts.
public struct ListRequest {
    public var resource: String
    /// Only this namespace; nil for all namespaces (and for cluster-scoped resources).
    public var namespace: String?
    /// The revision whose state is read; nil reads the newest. A revision newer than the store's is
    /// read as the newest (callers wait for the store to catch up first).
    public var revision: Int64?
    /// Only keys at or after this one in list order (a continue position: the last key of the
    /// previous page with `\0` appended to its name).
    public var from: StorageKey?
    /// At most this many matching objects; 0 or less for all.
    public var limit: Int
    /// Objects it rejects are skipped and not counted; nil matches everything.
    public var predicate: ((StoredObject) -> Bool)?

    public init(resource: String, namespace: String? = nil, revision: Int64? = nil, from: StorageKey? = nil,
                limit: Int = 0, predicate: ((StoredObject) -> Bool)? = nil) {
        self.resource = resource; self.namespace = namespace; self.revision = revision
        self.from = from; self.limit = limit; self.predicate = predicate
    }
}

/// One page of a list, consistent at `revision`.
public struct ListPage {
    public var items: [StoredObject]
    /// The revision the page shows (the list's resourceVersion).
    public var revision: Int64
    /// When objects remain after the page: the key of the last object examined, to continue after.
    public var continueAfter: StorageKey?
    /// How many objects remain after the page at `revision`; only for lists without a predicate
    /// (with one, the count would include objects it rejects, so upstream leaves it out).
    public var remainingCount: Int?

    public init(items: [StoredObject], revision: Int64, continueAfter: StorageKey? = nil, remainingCount: Int? = nil) {
        self.items = items; self.revision = revision; self.continueAfter = continueAfter; self.remainingCount = remainingCount
    }
}

extension StorageKey {
    /// The first key after this one in list order: a continue position.
    public var successor: StorageKey { StorageKey(resource: resource, namespace: namespace, name: name + "\u{0}") }
}
