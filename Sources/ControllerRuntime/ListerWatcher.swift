import Storage

/// Where an informer's objects come from (client-go's cache.ListerWatcher): a consistent list with
/// the revision it was taken at, and a watch of the changes after a revision. The informer relists
/// through it whenever a watch fails or ends, so a source only has to report that, never recover.
public protocol ListerWatcher: Sendable {
    /// The resource listed and watched (`pods`, `statefulsets.apps`).
    var resource: String { get }

    /// Every object, as of one revision (upstream's consistent LIST with its resourceVersion).
    func list() throws -> ListedObjects

    /// Starts delivering the changes after `revision` to `consumer`, in revision order. When the
    /// watch cannot start there (history compacted: 410 Expired) or ends, the source calls
    /// `consumer.fail` or `consumer.finish` once and nothing after.
    func watch(after revision: Int64, consumer: any WatchConsumer) -> any StoppableWatch
}

/// A consistent list: the objects and the revision they were read at.
public struct ListedObjects: Sendable {
    public var items: [StoredObject]
    public var revision: Int64
    public init(items: [StoredObject], revision: Int64) { self.items = items; self.revision = revision }
}

/// A watch its starter can end (client-go's watch.Interface Stop); the consumer then gets `finish`.
public protocol StoppableWatch: Sendable {
    func stop()
}
