import APIMachinery
import Storage

extension ResourceStore {
    /// WATCH: events of this resource (in `namespace`, or all when nil), from `start`, handed to
    /// `consumer` by the registry's watch hub until `timeout` (nil: the server's randomised maximum)
    /// or until the handle is stopped.
    @discardableResult
    public func watch(namespace: String?, start: WatchRequest.Start, bookmarks: Bool = false,
                      filter: (@Sendable (JSON) -> Bool)? = nil, consumer: any WatchConsumer, timeout: Duration?) -> WatchHandle {
        // A version view's watchers get (and filter) events converted to the version they watch.
        if let converting = storage as? ConvertingStorage {
            let conversion = converting.conversion
            let served = filter.map { filter in { @Sendable (object: JSON) in filter(conversion.fromStorage(object)) } }
            let request = WatchRequest(resource: storageResourceName, namespace: resource.namespaced ? namespace : nil,
                                       start: start, bookmarks: bookmarks, filter: served)
            return hub.watch(request, consumer: ConvertingWatchConsumer(consumer, storage: converting), timeout: timeout)
        }
        let request = WatchRequest(resource: storageResourceName, namespace: resource.namespaced ? namespace : nil,
                                   start: start, bookmarks: bookmarks, filter: filter)
        return hub.watch(request, consumer: consumer, timeout: timeout)
    }
}
