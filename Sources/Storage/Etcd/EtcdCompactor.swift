import APIMachinery
import Synchronization

/// kube-apiserver's periodic compaction of etcd's history (etcd3/compact.go), so etcd's database
/// does not grow with every revision ever written.
///
/// Every replica runs one; the key `compact_rev_key` (outside any prefix, shared by every API
/// server on the cluster) makes them take turns: its version is a logical compaction time. Each
/// interval a compactor writes the key in a transaction guarded by the version it last saw; the
/// one that succeeds compacts at the revision it recorded one interval earlier (so at least one
/// interval of history is kept), the others learn the new version and the revision compacted, and
/// try again an interval later. If the compacting replica dies, another's guard then matches and
/// it takes over within two intervals.
public final class EtcdCompactor: Sendable {
    /// The key upstream's compactors share.
    public static let key = Array("compact_rev_key".utf8)

    /// Schedules work after a delay (the wall clock in kubelite, manual timers in tests).
    public typealias Schedule = @Sendable (Duration, @escaping @Sendable () -> Void) -> Void

    private struct State {
        /// The key's version last seen (upstream's compactTime).
        var version: Int64 = 0
        /// etcd's revision when the key was last written by this compactor or seen (upstream's rev).
        var revision: Int64 = 0
        /// The newest revision etcd is known to be compacted at (by any replica).
        var compacted: Int64 = 0
        var stopped = false
    }

    private let client: EtcdClient
    private let interval: Duration
    private let schedule: Schedule
    private let onCompacted: @Sendable (Int64) -> Void
    private let report: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// - Parameters:
    ///   - interval: upstream's `--etcd-compaction-interval` (5 minutes by default); the first
    ///     attempt is one interval after `start`.
    ///   - onCompacted: told the revision etcd is compacted at, whenever it moves (this replica's
    ///     compaction or another's), so the watch cache forgets what etcd forgot.
    public init(client: EtcdClient, interval: Duration, schedule: @escaping Schedule,
                onCompacted: @escaping @Sendable (Int64) -> Void = { _ in },
                report: @escaping @Sendable (String) -> Void = { _ in }) {
        precondition(interval > .zero, "a compactor needs a positive interval (0 disables compaction: make none)")
        self.client = client
        self.interval = interval
        self.schedule = schedule
        self.onCompacted = onCompacted
        self.report = report
    }

    /// Starts the loop: one attempt per interval until `stop`.
    public func start() { scheduleNext() }

    public func stop() { state.withLock { $0.stopped = true } }

    /// The revision etcd is known to be compacted at (0 before any compaction was seen).
    public var compactedRevision: Int64 { state.withLock { $0.compacted } }

    private func scheduleNext() {
        schedule(interval) { [self] in
            guard !state.withLock({ $0.stopped }) else { return }
            do {
                try compactOnce()
            } catch {
                report("etcd: compaction failed: \(error)")
            }
            scheduleNext()
        }
    }

    /// One round of upstream's algorithm: claim this interval's compaction by writing the key at
    /// the version last seen, then compact at the revision recorded one round earlier (none on the
    /// first round); if another replica claimed it, adopt its version and revision. A failed call
    /// changes nothing, so the next round retries with the same expectations.
    func compactOnce() throws(EtcdError) {
        let (expected, previous) = state.withLock { ($0.version, $0.revision) }
        let txn = EtcdTxn(key: Self.key, compare: .version(expected),
                          success: [.put(value: Array(String(previous).utf8))], failure: [.get])
        let result = try client.txn(txn)
        guard result.succeeded else {
            let current = result.responses.first?[path: "response_range", "kvs"]?.arrayValue?.first
            let kv = current.flatMap { try? EtcdKeyValue($0) }
            let theirs = kv.flatMap { Int64(String(decoding: $0.value, as: UTF8.self)) } ?? 0
            state.withLock { s in
                s.version = kv?.version ?? 0
                s.revision = result.revision
            }
            if theirs > 0 { noteCompacted(theirs) }
            return
        }
        state.withLock { s in
            s.version = expected + 1
            s.revision = result.revision
        }
        guard previous > 0 else { return }  // the first round only records where etcd is
        do throws(EtcdError) {
            try client.compact(previous)
        } catch where error.isCompacted {
            // Compacted further already (by hand, or a replica on an older key): nothing lost.
            report("etcd: revision \(previous) was already compacted")
            return
        }
        report("etcd: compacted at revision \(previous)")
        noteCompacted(previous)
    }

    private func noteCompacted(_ revision: Int64) {
        let moved = state.withLock { s -> Bool in
            guard revision > s.compacted else { return false }
            s.compacted = revision
            return true
        }
        if moved { onCompacted(revision) }
    }
}
