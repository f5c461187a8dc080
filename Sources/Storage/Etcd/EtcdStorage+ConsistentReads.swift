import Dispatch
import Synchronization

/// Consistent reads (resourceVersion "") from the watch cache, as upstream's cacher serves them
/// (ConsistentListFromCache): etcd's current revision is read with a linearizable range (so a
/// member without quorum cannot answer it), then the read waits until the watch has brought the
/// cache to that revision, at most upstream's 3 s ("Too large resource version" after). With etcd
/// unreachable a consistent read fails as a write does, rather than answering from a cache that
/// may be stale; resourceVersion "0" still reads the cache as it is.
///
/// Reads that arrive while a revision is being read share the next one, read once that one is
/// answered: every read of a round arrived before its range was sent, so the range's revision
/// covers every write acknowledged before any of them (etcd's own ReadIndex batching). Under
/// load, one range serves every read that arrived during the previous one.
///
/// etcd's revision also moves with writes outside the prefix (kube-apiserver's compact_rev_key,
/// another cluster's keys), which the prefix watch never reports. Upstream asks the watch for a
/// progress notification; etcd 3.4 before 3.4.31 may send it ahead of pending events (upstream
/// then lists from etcd instead), and the JSON gateway takes no second message on an HTTP/1.1
/// watch. So when the cache lags for `foreignWriteCheckDelay`, etcd is asked whether the prefix
/// changed at all since the cache's revision: if no key under it was modified after that revision
/// and it holds as many keys as then, its state is the cache's, and the cache moves to the newer
/// revision without an event.
extension EtcdStorage {
    typealias ConsistentReadCompletion = @Sendable (StorageError?) -> Void

    struct ConsistentReadState {
        /// Reads waiting for the next round's revision.
        var pending: [ConsistentReadCompletion] = []
        /// Whether a round is running (it takes every pending read when it starts).
        var running = false
    }

    /// Upstream's blockTimeout for a read waiting on the watch cache.
    static let consistentReadTimeout: Duration = .seconds(3)
    /// How long the cache may lag before etcd is asked whether writes outside the prefix explain it.
    static let foreignWriteCheckDelay: Duration = .milliseconds(50)

    public var confirmsConsistentReads: Bool { true }

    public func whenConsistent(_ then: @escaping @Sendable (StorageError?) -> Void) {
        let start = consistentReads.withLock { s -> Bool in
            s.pending.append(then)
            defer { s.running = true }
            return !s.running
        }
        if start { DispatchQueue.global().async { [self] in runConsistentReadRounds() } }
    }

    /// Rounds until no read is pending: one revision each, then a wait that does not hold the next round.
    private func runConsistentReadRounds() {
        let key = Array((layout.rootPrefix + "health").utf8)
        while true {
            let round = consistentReads.withLock { s -> [ConsistentReadCompletion] in
                let round = s.pending
                s.pending = []
                if round.isEmpty { s.running = false }
                return round
            }
            if round.isEmpty { return }
            let revision: Int64
            do {
                revision = try client.range(key, countOnly: true).revision
            } catch {
                let failure = Self.consistentReadError(error)
                for read in round { DispatchQueue.global().async { read(failure) } }
                continue
            }
            // Each read served on a thread of its own: a round may hold many.
            awaitCache(revision, then: { error in for read in round { DispatchQueue.global().async { read(error) } } })
        }
    }

    /// Calls `then` once the cache reaches `revision`, or has the same state as etcd at it.
    func awaitCache(_ revision: Int64, then: @escaping @Sendable (StorageError?) -> Void) {
        let memory = self.memory
        let current: @Sendable () -> Int64 = { memory.currentRevision }
        let timeout = Self.consistentReadTimeout
        waiters.notify(for: revision, timeout: Self.foreignWriteCheckDelay, current: current) { [self] reached in
            if reached >= revision { return then(nil) }
            if prefixUnchanged(since: reached, at: revision) {
                memory.advance(to: revision)
                waiters.release(upTo: revision)
                return then(nil)
            }
            waiters.notify(for: revision, timeout: timeout - Self.foreignWriteCheckDelay, current: current) { reached in
                then(reached >= revision ? nil : .revisionNotReached(requested: revision, current: reached))
            }
        }
    }

    /// Whether etcd's keys under the prefix at `revision` are exactly those at `since`: none was
    /// modified after `since` (each key still there kept its value from then) and as many are left
    /// (so none was deleted). False when etcd cannot tell (such as `since` compacted).
    func prefixUnchanged(since: Int64, at revision: Int64) -> Bool {
        let prefix = Array(layout.rootPrefix.utf8)
        let end = EtcdBase64.prefixEnd(prefix)
        do {
            let newest = try client.range(prefix, rangeEnd: end, revision: revision, limit: 1, keysOnly: true, newestFirst: true)
            if let last = newest.kvs.first, last.modRevision > since { return false }
            let before = try client.range(prefix, rangeEnd: end, revision: since, countOnly: true)
            return before.count == newest.count
        } catch {
            return false
        }
    }

    static func consistentReadError(_ error: EtcdError) -> StorageError {
        switch error {
        case .unreachable, .timedOut: return .unreachable("consistent read: \(error)")
        case .failed(_, let message): return .backendFailure(message)
        case .malformed: return .unavailable("consistent read: \(error)")
        }
    }
}
