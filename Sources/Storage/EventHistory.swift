/// The newest events, bounded by count and by bytes: enough for a watcher that reconnects to resume
/// from its last revision; older requests are told the history was compacted (410 Gone upstream).
///
/// The byte bound is what keeps memory in check: a count alone lets 1,500 patches of a 1 MB object
/// hold 1.5 GB. Bytes are the events' encoded objects (`StoredObject.bytes`); each event also holds
/// its parsed JSON, so the memory it pins is a small multiple of that.
struct EventHistory {
    /// A ring: `count` events from `start`, wrapping. It grows by doubling up to `capacity` (allocating
    /// it all at once costs a fresh process milliseconds of page faults); evicted slots are set to nil
    /// so their objects are released at once.
    private var ring: [StorageEvent?] = []
    private let capacity: Int
    /// At most this many bytes of events are kept, but always the newest event.
    let byteLimit: Int
    private var start = 0
    private(set) var count = 0
    /// Encoded bytes of the events kept.
    private(set) var bytes = 0
    /// Revisions at or below this are no longer complete in the ring.
    private(set) var compactedRevision: Int64

    init(capacity: Int, byteLimit: Int = .max, startRevision: Int64) {
        self.capacity = max(1, capacity)
        self.byteLimit = max(0, byteLimit)
        compactedRevision = startRevision
    }

    static func size(of event: StorageEvent) -> Int { event.object.bytes.count }

    mutating func append(_ event: StorageEvent) {
        if count == capacity { evictOldest() }
        if count == ring.count { grow() }
        ring[(start + count) % ring.count] = event
        count += 1
        bytes += Self.size(of: event)
        while bytes > byteLimit, count > 1 { evictOldest() }
    }

    private mutating func evictOldest() {
        let oldest = ring[start]!
        ring[start] = nil
        start = (start + 1) % ring.count
        count -= 1
        bytes -= Self.size(of: oldest)
        compactedRevision = oldest.revision
    }

    /// Drops the events at or below `revision` and answers no request from before it, as when the
    /// store behind the cache compacted its own history (etcd's compaction); never moves back.
    mutating func compact(through revision: Int64) {
        while count > 0, ring[start]!.revision <= revision { evictOldest() }
        compactedRevision = max(compactedRevision, revision)
    }

    /// Doubles the ring (up to `capacity`), moving the events to its front in order.
    private mutating func grow() {
        let size = min(capacity, max(16, ring.count * 2))
        var grown = [StorageEvent?](repeating: nil, count: size)
        for i in 0..<count { grown[i] = ring[(start + i) % ring.count] }
        ring = grown
        start = 0
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
