import Storage

/// The informers' source in this process: lists straight from storage and watches through the
/// WatchHub. Kept apart from the informer so the source can be re-pointed (to the Registry's
/// watch cache, or to a remote server) without touching the relist logic.
public struct WatchHubListerWatcher: ListerWatcher {
    public let resource: String
    let storage: any Storage
    let hub: WatchHub

    public init(resource: String, storage: any Storage, hub: WatchHub) {
        self.resource = resource; self.storage = storage; self.hub = hub
    }

    public func list() throws -> ListedObjects {
        let snapshot = storage.list(resource: resource, namespace: nil)
        return ListedObjects(items: snapshot.items, revision: snapshot.revision)
    }

    public func watch(after revision: Int64, consumer: any WatchConsumer) -> any StoppableWatch {
        // An informer's watch has no deadline of its own: it ends only when the hub ends it.
        hub.watch(WatchRequest(resource: resource, namespace: nil, start: .after(revision)),
                  consumer: consumer, timeout: .seconds(100 * 365 * 86400))
    }
}

extension WatchHandle: StoppableWatch {}
