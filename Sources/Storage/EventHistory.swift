/// A fixed-capacity ring of the newest events: enough for a watcher that reconnects to resume from
/// its last revision; older requests are told the history was compacted (410 Gone upstream).
struct EventHistory {
    /// Grows up to `capacity` as events arrive (allocating it all at once costs a fresh process
    /// milliseconds of page faults), then wraps.
    private var ring: [StorageEvent?] = []
    private let capacity: Int
    private var start = 0
    private var count = 0
    /// Revisions at or below this are no longer complete in the ring.
    private(set) var compactedRevision: Int64

    init(capacity: Int, startRevision: Int64) {
        self.capacity = max(1, capacity)
        compactedRevision = startRevision
    }

    mutating func append(_ event: StorageEvent) {
        if ring.count < capacity {
            ring.append(event)
            count += 1
        } else if count == ring.count {
            compactedRevision = ring[start]!.revision
            ring[start] = event
            start = (start + 1) % ring.count
        } else {
            ring[(start + count) % ring.count] = event
            count += 1
        }
    }

    func events(after revision: Int64) throws(StorageError) -> [StorageEvent] {
        if revision < compactedRevision { throw .compacted(requested: revision, oldest: compactedRevision) }
        var out: [StorageEvent] = []
        // Binary search for the first event after `revision`; revisions in the ring are increasing.
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ring[(start + mid) % ring.count]!.revision <= revision { lo = mid + 1 } else { hi = mid }
        }
        out.reserveCapacity(count - lo)
        for i in lo..<count { out.append(ring[(start + i) % ring.count]!) }
        return out
    }
}
