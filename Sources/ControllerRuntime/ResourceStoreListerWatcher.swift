import Registry
import Storage

/// The informers' source in this process: lists and watches through the resource's store in the
/// registry, like any client. Kept apart from the informer so the source can be re-pointed (to a
/// remote server, or a watch cache) without touching the relist logic.
public struct ResourceStoreListerWatcher: ListerWatcher {
    let store: ResourceStore

    public init(store: ResourceStore) { self.store = store }

    public var resource: String { store.storageResourceName }

    public func list() throws -> ListedObjects {
        let page = try store.list(ListQuery(namespace: nil))
        return ListedObjects(items: page.items, revision: page.revision)
    }

    public func watch(after revision: Int64, consumer: any WatchConsumer) -> any StoppableWatch {
        // An informer's watch has no deadline of its own: it ends only when the hub ends it.
        store.watch(namespace: nil, start: .after(revision), consumer: consumer, timeout: .seconds(100 * 365 * 86400))
    }
}

extension WatchHandle: StoppableWatch {}
