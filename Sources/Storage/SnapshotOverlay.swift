/// A resource as it was at an older revision, kept as a difference from its current state: for every
/// key written after `revision`, its state at `revision` (taken from the `previous` of the first event
/// after it; absent when that event created the key). Everything not in the overlay is unchanged.
///
/// A snapshot is thus rebuilt from the current objects plus the undone tail of the event history,
/// never by copying the whole resource; overlays are extended in place as more events arrive, so
/// successive pages of one list pay only for the writes made since the previous page.
struct SnapshotOverlay {
    /// A key's state at the snapshot revision.
    struct Prior { let object: StoredObject? }

    let resource: String
    let revision: Int64
    /// The newest event folded in; events after it are still to be undone.
    private(set) var foldedThrough: Int64
    private(set) var priors: [StorageKey: Prior] = [:]
    /// The objects of `priors` that existed at `revision`, sorted by key.
    private(set) var existing: [StoredObject] = []

    init(resource: String, revision: Int64) {
        self.resource = resource
        self.revision = revision
        foldedThrough = revision
    }

    var isEmpty: Bool { priors.isEmpty }

    /// Folds events (in revision order) newer than `foldedThrough`; only the first write of each key
    /// after the snapshot revision tells its state at that revision.
    mutating func fold(_ events: [StorageEvent]) {
        for event in events where event.revision > foldedThrough {
            foldedThrough = event.revision
            let key = event.object.key
            guard key.resource == resource, priors[key] == nil else { continue }
            priors[key] = Prior(object: event.previous)
            if let previous = event.previous {
                existing.insert(previous, at: SortedObjects.lowerBound(existing, key))
            }
        }
    }

    func isOverridden(_ key: StorageKey) -> Bool { priors[key] != nil }
}
