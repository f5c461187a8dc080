import APIMachinery

/// One event as a watcher sees it, after its filter: an object that starts matching is ADDED, one
/// that stops matching is DELETED, as upstream's watch cache reports them.
public enum WatchEvent: Sendable {
    case added(StoredObject)
    case modified(StoredObject)
    case deleted(StoredObject)

    public var typeName: String {
        switch self {
        case .added: return "ADDED"
        case .modified: return "MODIFIED"
        case .deleted: return "DELETED"
        }
    }

    public var object: StoredObject {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): return o
        }
    }
}

/// What a watcher asks for.
public struct WatchRequest: Sendable {
    /// The storage resource (`pods`, `statefulsets.apps`).
    public var resource: String
    /// Only objects in this namespace; nil for all.
    public var namespace: String?
    /// Where the watch starts.
    public var start: Start
    /// Whether periodic BOOKMARK events are wanted (`allowWatchBookmarks=true`).
    public var bookmarks: Bool
    /// Objects this watcher sees (label and field selectors); nil matches everything.
    public var filter: (@Sendable (JSON) -> Bool)?

    public enum Start: Sendable {
        /// The current state as ADDED events, then changes (resourceVersion unset or "0").
        case currentState
        /// The current state as ADDED events, then a BOOKMARK marking their end, then changes
        /// (`sendInitialEvents=true`).
        case initialEventsWithBookmark
        /// Changes after the newest revision when the watch starts, without initial events
        /// (`sendInitialEvents=false` with resourceVersion unset or "0").
        case mostRecent
        /// Changes after this revision, from the history.
        case after(Int64)
    }

    public init(resource: String, namespace: String?, start: Start, bookmarks: Bool = false,
                filter: (@Sendable (JSON) -> Bool)? = nil) {
        self.resource = resource; self.namespace = namespace; self.start = start
        self.bookmarks = bookmarks; self.filter = filter
    }
}

/// Receives a watch's events, always on the hub's queue and in revision order. Consumers must not
/// block: an HTTP watcher appends to its buffer and wakes its connection.
public protocol WatchConsumer: AnyObject, Sendable {
    /// Returns false when the consumer is done (closed, or too slow and cut off); the hub then drops it.
    func receive(_ event: WatchEvent) -> Bool
    /// A BOOKMARK at `revision`; `initialEventsEnd` marks the end of the initial state.
    func bookmark(revision: Int64, initialEventsEnd: Bool) -> Bool
    /// The watch could not start from the requested revision; the hub will not call the consumer again.
    func fail(_ failure: WatchFailure)
    /// The watch ended on the server's side (timeout or shutdown).
    func finish()
}

/// Why a watch could not start where it asked to.
public enum WatchFailure: Error, Sendable, Equatable {
    /// The start revision has left the history (410 Expired upstream); `oldest` is the newest
    /// revision the history no longer covers completely.
    case expired(requested: Int64, oldest: Int64)
    /// The start revision is newer than any write (upstream's "Too large resource version", 504),
    /// as after a restart of an in-memory server whose revisions began again.
    case tooLargeResourceVersion(requested: Int64, current: Int64)
}
