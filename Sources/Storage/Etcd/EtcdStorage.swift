import APIMachinery
import Foundation
import Synchronization

/// The etcd backend: etcd holds the state and sequences every write (revision = etcd's
/// mod_revision, as kube-apiserver's resourceVersion), and a `MemoryStorage` is this replica's
/// watch cache: restored from one list of the whole prefix, then fed by one watch on the prefix
/// (see EtcdStorage+Watch), so every replica on the same etcd sees every replica's writes in order.
///
/// Reads, lists and watches are served from the cache; a consistent read (resourceVersion "") only
/// once the cache has reached etcd's current revision (EtcdStorage+ConsistentReads), so it fails
/// while etcd is unreachable where a read at resourceVersion "0" is still answered. Writes are etcd transactions guarded as upstream's etcd3 store guards them
/// (create: the key's create_revision is 0; update and delete: its mod_revision is the one the
/// caller read) and return once the cache has applied their revision, so a client reads its own
/// writes from any verb.
public final class EtcdStorage: WatchCacheReads, @unchecked Sendable {
    let client: EtcdClient
    public let layout: EtcdKeyLayout
    public let memory: MemoryStorage
    let transformer: (any StorageValueTransformer)?
    let report: @Sendable (String) -> Void
    /// How long a write waits for the watch to bring its own revision into the cache.
    let applyTimeout: Duration
    let watchState = Mutex(WatchState())
    let compactor = Mutex<EtcdCompactor?>(nil)
    let health = Mutex(HealthState())
    let waiters = EtcdRevisionWaiters()
    let consistentReads = Mutex(ConsistentReadState())

    struct WatchState {
        var connected = false
        var lastError = "watch not started"
        var stopped = false
        var stream: EtcdHTTPConnection?
    }

    /// Lists the prefix at one revision and starts the watch from the next one.
    /// - Parameters:
    ///   - report: where the watch's losses and recoveries are logged.
    ///   - healthInterval, readyCheckTimeout: how often etcd is probed for /readyz, and how long
    ///     a probe may take (kube-apiserver's `--etcd-readycheck-timeout`, 2 s).
    public init(client: EtcdClient, layout: EtcdKeyLayout, historyLimit: Int = 100_000, historyBytes: Int = .max,
                transformer: (any StorageValueTransformer)? = nil, applyTimeout: Duration = .seconds(10),
                healthInterval: Duration = .seconds(1), readyCheckTimeout: Duration = .seconds(2),
                report: @escaping @Sendable (String) -> Void = { _ in }) throws(EtcdError) {
        self.client = client
        self.layout = layout
        self.transformer = transformer
        self.report = report
        self.applyTimeout = applyTimeout
        let snapshot = try Self.listAll(client: client, layout: layout, transformer: transformer, report: report)
        memory = MemoryStorage(historyLimit: historyLimit, historyBytes: historyBytes, initialRevision: snapshot.revision)
        for object in snapshot.objects.values { memory.restore(object) }
        startWatch()
        startHealthProbe(interval: healthInterval, timeout: readyCheckTimeout)
    }

    /// Stops the watch and the compactor.
    public func close() {
        compactor.withLock { $0?.stop() }
        let stream = watchState.withLock { s -> EtcdHTTPConnection? in
            s.stopped = true
            return s.stream
        }
        stream?.shutdown()
    }


    /// Runs upstream's periodic compaction of etcd (see EtcdCompactor) every `interval`; the cache
    /// follows each compaction, this replica's or another's.
    public func startCompaction(every interval: Duration, schedule: @escaping EtcdCompactor.Schedule) {
        let started = EtcdCompactor(client: client, interval: interval, schedule: schedule,
                                    onCompacted: { [weak self] in self?.noteCompacted(at: $0) }, report: report)
        compactor.withLock { $0?.stop(); $0 = started }
        started.start()
    }

    /// etcd was compacted at `revision` (revisions below it are gone): the cache forgets the same
    /// history, so a watch or an exact list from before it is 410 Expired on every replica alike.
    public func noteCompacted(at revision: Int64) {
        memory.compactHistory(through: revision - 1)
    }

    // MARK: reads, from the watch cache (WatchCacheReads)

    /// A write returns once etcd has it on a quorum's disks.
    public var isDurable: Bool { true }

    // MARK: writes, as etcd transactions

    public func create(_ key: StorageKey, _ object: JSON) throws(StorageError) -> StoredObject {
        let etcdKey = Array(layout.key(key).utf8)
        let result = try run(EtcdTxn(key: etcdKey, compare: .absent, success: [.put(value: try value(object, key: key))]), key)
        guard result.succeeded else { throw .alreadyExists(key) }
        return applied(key, object, revision: result.revision)
    }

    public func update(_ key: StorageKey, expectedRevision: Int64?, _ object: JSON) throws(StorageError) -> StoredObject {
        let etcdKey = Array(layout.key(key).utf8)
        let txn = EtcdTxn(key: etcdKey, compare: expectedRevision.map { .modRevision($0) } ?? .exists,
                          success: [.put(value: try value(object, key: key))], failure: [.get])
        let result = try run(txn, key)
        guard result.succeeded else { throw failure(result, key) }
        return applied(key, object, revision: result.revision)
    }

    public func delete(_ key: StorageKey, expectedRevision: Int64?) throws(StorageError) -> StoredObject {
        let etcdKey = Array(layout.key(key).utf8)
        let txn = EtcdTxn(key: etcdKey, compare: expectedRevision.map { .modRevision($0) } ?? .exists,
                          success: [.delete], failure: [.get])
        let result = try run(txn, key)
        guard result.succeeded else { throw failure(result, key) }
        let previous = result.responses.first?[path: "response_delete_range", "prev_kvs"]?.arrayValue?.first
        guard let previous, let kv = try? EtcdKeyValue(previous), let object = try? decode(kv.value, key: key) else {
            throw .unavailable("etcd did not return the deleted value of \(key)")
        }
        _ = waiters.wait(for: result.revision, timeout: applyTimeout) { memory.currentRevision }
        return Self.stored(object, key: key, revision: result.revision)
    }

    /// Runs a transaction, its failure as a storage error (see `storageError`).
    private func run(_ txn: EtcdTxn, _ key: StorageKey) throws(StorageError) -> EtcdClient.TxnResult {
        do {
            return try client.txn(txn)
        } catch {
            throw Self.storageError(error, key: key)
        }
    }

    /// No member reachable is `.unreachable`; an error etcd answered keeps etcd's text, as upstream
    /// passes it to the client; an answer that is not the gateway's is Kubelite's internal error.
    static func storageError(_ error: EtcdError, key: StorageKey) -> StorageError {
        switch error {
        case .unreachable, .timedOut: return .unreachable("\(key): \(error)")
        case .failed(_, let message): return .backendFailure(message)
        case .malformed: return .unavailable("\(key): \(error)")
        }
    }

    /// A failed guard: not found, or a conflict with the revision etcd holds. The cache is first
    /// brought up to the transaction's revision, so a caller that retries (upstream's
    /// GuaranteedUpdate) reads the state it conflicted with.
    private func failure(_ result: EtcdClient.TxnResult, _ key: StorageKey) -> StorageError {
        let current = result.responses.first?[path: "response_range", "kvs"]?.arrayValue?.first
        guard let current, let kv = try? EtcdKeyValue(current) else { return .notFound(key) }
        // Not the transaction's own revision: writes outside the prefix raise it and never reach the cache.
        _ = waiters.wait(for: kv.modRevision, timeout: applyTimeout) { memory.currentRevision }
        return .conflict(key, currentRevision: kv.modRevision)
    }

    /// Waits for the watch to apply the write's revision (read-your-writes), and answers the cache's
    /// object when it holds this very revision (the watch already stamped and encoded it, so the
    /// writer's copy need not be). etcd has the write either way: if the watch is down the write
    /// still succeeded, and the cache catches up when the watch reconnects.
    private func applied(_ key: StorageKey, _ object: JSON, revision: Int64) -> StoredObject {
        if waiters.wait(for: revision, timeout: applyTimeout, current: { memory.currentRevision }) < revision {
            report("write at revision \(revision) not seen by the watch within \(applyTimeout)")
        }
        if let cached = memory.get(key), cached.revision == revision { return cached }
        return Self.stored(object, key: key, revision: revision)
    }

    /// What etcd holds for an object: its JSON without resourceVersion (the revision is etcd's
    /// mod_revision, stamped when read back, as upstream's versioner does), transformed at rest.
    private func value(_ object: JSON, key: StorageKey) throws(StorageError) -> [UInt8] {
        var plain = object
        plain.setValue(nil, at: ["metadata", "resourceVersion"])
        let bytes = JSONWriter.encode(plain)
        guard let transformer else { return bytes }
        do {
            return try transformer.toStorage(bytes, key: key)
        } catch {
            throw .unavailable("failed to encrypt \(key): \(error.message)")
        }
    }

    func decode(_ value: [UInt8], key: StorageKey) throws -> JSON {
        try Self.decode(value, key: key, transformer: transformer)
    }

    static func decode(_ value: [UInt8], key: StorageKey, transformer: (any StorageValueTransformer)?) throws -> JSON {
        let plain = try transformer.map { t throws -> [UInt8] in try t.fromStorage(value, key: key) } ?? value
        return try JSONParser.parse(plain).value
    }

    static func stored(_ object: JSON, key: StorageKey, revision: Int64) -> StoredObject {
        let stamped = object.stamped(revision: revision)
        return StoredObject(key: key, object: stamped, bytes: JSONWriter.encode(stamped), revision: revision)
    }
}
