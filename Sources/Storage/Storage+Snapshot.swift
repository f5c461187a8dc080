import Dispatch

/// Defaults for backends without an ordered index of their own: correct, but each page costs a full
/// list of the resource.
extension Storage {
    /// Rebuilds the snapshot from a current list and the events after the requested revision (only
    /// those the list already reflects), then pages through it.
    public func list(_ request: ListRequest) throws(StorageError) -> ListPage {
        let current = list(resource: request.resource, namespace: request.namespace)
        var sorted = current.items
        var revision = current.revision
        if let at = request.revision, at < current.revision {
            var overlay = SnapshotOverlay(resource: request.resource, revision: at)
            overlay.fold(try events(after: at).filter { $0.revision <= current.revision })
            sorted.removeAll { overlay.isOverridden($0.key) }
            sorted += overlay.existing.filter { request.namespace == nil || $0.key.namespace == request.namespace }
            sorted.sort { SortedObjects.precedes($0.key, $1.key) }
            revision = at
        }
        return try ListPager.page(request) { (_, from, max, _) throws(StorageError) in
            ListPager.chunk(of: sorted, revision: revision, from: from, max: max)
        }
    }

    /// Waits on a listener, so no thread polls; the listener runs on writers' threads and only signals.
    public func waitForRevision(_ revision: Int64, timeout: Duration) -> Int64 {
        if currentRevision >= revision { return currentRevision }
        let reached = DispatchSemaphore(value: 0)
        let token = addListener { event in
            if event.revision >= revision { reached.signal() }
        }
        defer { removeListener(token) }
        if currentRevision < revision {
            let (seconds, attoseconds) = timeout.components
            let nanos = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            _ = reached.wait(timeout: .now() + .nanoseconds(nanos))
        }
        return currentRevision
    }
}
