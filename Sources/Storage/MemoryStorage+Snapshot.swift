/// Paged and historical reads of the memory backend. A page at the newest revision is a slice of the
/// bucket's sorted objects; a page at an older revision merges the current objects with a cached
/// `SnapshotOverlay` (the states at that revision of the keys written since), so neither rebuilds
/// nor sorts the resource. The work under the lock is the page itself plus the writes made since
/// the previous page of the same snapshot.
extension MemoryStorage {
    /// How many snapshots are kept between pages; the oldest is dropped past this (a later page of it
    /// rebuilds its overlay from the history, so dropping costs time, never correctness).
    static let maxCachedSnapshots = 16

    public func list(_ request: ListRequest) throws(StorageError) -> ListPage {
        try ListPager.page(request) { (revision, from, max, countRemaining) throws(StorageError) -> ListPager.Chunk in
            try state.withLock { (s: inout State) throws(StorageError) -> ListPager.Chunk in
                try Self.chunk(&s, resource: request.resource, namespace: request.namespace, revision: revision,
                               from: from, max: max, countRemaining: countRemaining)
            }
        }
    }

    private static func chunk(_ s: inout State, resource: String, namespace: String?, revision: Int64?, from: StorageKey?,
                              max: Int, countRemaining: Bool) throws(StorageError) -> ListPager.Chunk {
        let at = min(revision ?? s.revision, s.revision)
        let bucket = s.buckets[resource] ?? ResourceBucket()
        let range = bucket.range(namespace: namespace, from: from)
        if at == s.revision {
            let ordered = bucket.ordered
            let available = ordered.distance(from: range.lowerBound, to: range.upperBound)
            let end = ordered.index(range.lowerBound, offsetBy: min(max, available))
            return ListPager.Chunk(items: Array(ordered[range.lowerBound..<end]), revision: at, more: end < range.upperBound,
                                   remaining: countRemaining ? available - min(max, available) : nil)
        }
        let overlay = try Self.overlay(&s, resource: resource, revision: at)
        var merge = SnapshotMerge(bucket: bucket, range: range, overlay: overlay, namespace: namespace, from: from)
        var items: [StoredObject] = []
        while items.count < max, let next = merge.next() { items.append(next) }
        let more = merge.next() != nil
        var remaining: Int?
        if countRemaining {
            remaining = items.last.map { merge.count(after: $0.key) } ?? 0
        }
        return ListPager.Chunk(items: items, revision: at, more: more, remaining: remaining)
    }

    /// The cached overlay for (resource, revision), brought up to date with the history; `.compacted`
    /// once the history no longer reaches back to the revision.
    private static func overlay(_ s: inout State, resource: String, revision: Int64) throws(StorageError) -> SnapshotOverlay {
        let oldest = s.history.compactedRevision
        guard revision >= oldest else { throw .compacted(requested: revision, oldest: oldest) }
        let id = SnapshotID(resource: resource, revision: revision)
        // Taken out of the cache while folding so the fold mutates it in place.
        var overlay = s.overlays.removeValue(forKey: id) ?? SnapshotOverlay(resource: resource, revision: revision)
        overlay.fold(try s.history.events(after: overlay.foldedThrough))
        s.overlays = s.overlays.filter { $0.key.revision >= oldest }
        if s.overlays.count >= maxCachedSnapshots, let stalest = s.overlays.keys.min(by: { $0.revision < $1.revision }) {
            s.overlays.removeValue(forKey: stalest)
        }
        s.overlays[id] = overlay
        return overlay
    }
}

/// Walks the objects of a snapshot in list order: the bucket's current objects not written since the
/// snapshot, interleaved with the overlay's prior states.
struct SnapshotMerge {
    let bucket: ResourceBucket
    let range: Range<SortedObjectIndex.Index>
    let overlay: SnapshotOverlay
    let namespace: String?
    private var current: SortedObjectIndex.Index
    private var prior: Int
    private let priorEnd: Int
    private let priorStart: Int

    init(bucket: ResourceBucket, range: Range<SortedObjectIndex.Index>, overlay: SnapshotOverlay, namespace: String?, from: StorageKey?) {
        self.bucket = bucket
        self.range = range
        self.overlay = overlay
        self.namespace = namespace
        current = range.lowerBound
        let existing = overlay.existing
        var start = namespace.map { SortedObjects.lowerBound(existing, namespace: $0, name: "") } ?? 0
        if let from { start = max(start, SortedObjects.lowerBound(existing, from)) }
        priorEnd = max(start, namespace.map { SortedObjects.upperBound(existing, namespace: $0) } ?? existing.count)
        priorStart = start
        prior = start
    }

    mutating func next() -> StoredObject? {
        let ordered = bucket.ordered
        while current < range.upperBound, overlay.isOverridden(ordered[current].key) { current = ordered.index(after: current) }
        let a = current < range.upperBound ? ordered[current] : nil
        let b = prior < priorEnd ? overlay.existing[prior] : nil
        switch (a, b) {
        case (nil, nil): return nil
        case (let a?, nil): current = ordered.index(after: current); return a
        case (nil, let b?): prior += 1; return b
        case (let a?, let b?):
            if SortedObjects.precedes(a.key, b.key) { current = ordered.index(after: current); return a }
            prior += 1
            return b
        }
    }

    /// Objects of the snapshot after `key` (in the merge's range), counted without walking them:
    /// current objects after it, less those written since the snapshot, plus prior states after it.
    func count(after key: StorageKey) -> Int {
        let successor = key.successor
        let ordered = bucket.ordered
        let currentAfter = ordered.distance(from: max(range.lowerBound, min(range.upperBound, ordered.lowerBound(successor))), to: range.upperBound)
        var overriddenAfter = 0
        for changed in overlay.priors.keys where bucket[changed] != nil && SortedObjects.precedes(key, changed) {
            if namespace == nil || changed.namespace == namespace { overriddenAfter += 1 }
        }
        let priorAfter = priorEnd - max(priorStart, min(priorEnd, SortedObjects.lowerBound(overlay.existing, successor)))
        return currentAfter - overriddenAfter + priorAfter
    }
}
