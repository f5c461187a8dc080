import APIMachinery
import Foundation

/// The watch cache's feed: one list of the prefix at a revision, then one watch on the prefix from
/// the next revision, its events applied in order. A cut watch resumes from the last applied
/// revision; one etcd has compacted past is replaced by a fresh list, whose differences with the
/// cache are applied as events so the cache's watchers stay consistent.
extension EtcdStorage {
    struct Snapshot {
        var objects: [StorageKey: StoredObject]
        var revision: Int64
    }

    /// Pages through the whole prefix at the first page's revision (kube-apiserver's list of a
    /// resource, for every resource at once).
    static func listAll(client: EtcdClient, layout: EtcdKeyLayout, transformer: (any StorageValueTransformer)?,
                        report: @Sendable (String) -> Void, pageSize: Int = 1000) throws(EtcdError) -> Snapshot {
        let prefix = Array(layout.rootPrefix.utf8)
        let end = EtcdBase64.prefixEnd(prefix)
        var next = prefix
        var revision: Int64 = 0
        var objects: [StorageKey: StoredObject] = [:]
        while true {
            let page = try client.range(next, rangeEnd: end, revision: revision, limit: pageSize)
            if revision == 0 { revision = page.revision }
            for kv in page.kvs {
                if let object = storedObject(kv, layout: layout, transformer: transformer, report: report) {
                    objects[object.key] = object
                }
            }
            guard page.more, let last = page.kvs.last else { break }
            next = last.key + [0]
        }
        return Snapshot(objects: objects, revision: revision)
    }

    /// The cached form of a key-value, or nil (reported) for a key outside the layout or a value
    /// that is not Kubelite's JSON: a foreign key under the prefix must not stop the cache.
    static func storedObject(_ kv: EtcdKeyValue, layout: EtcdKeyLayout, transformer: (any StorageValueTransformer)?,
                             report: @Sendable (String) -> Void) -> StoredObject? {
        guard let key = layout.storageKey(kv.keyString) else {
            report("ignoring etcd key \(kv.keyString): not an object key")
            return nil
        }
        do {
            return stored(try decode(kv.value, key: key, transformer: transformer), key: key, revision: kv.modRevision)
        } catch {
            report("ignoring etcd key \(kv.keyString): its value does not decode: \(error)")
            return nil
        }
    }

    func startWatch() {
        let thread = Thread { [self] in watchLoop() }
        thread.name = "etcd-watch"
        thread.start()
    }

    private var stopped: Bool { watchState.withLock { $0.stopped } }

    private func watchLoop() {
        var delay = Duration.milliseconds(100)
        while !stopped {
            do {
                try watchOnce()
                delay = .milliseconds(100)
            } catch {
                let first = watchState.withLock { s -> Bool in
                    defer { s.connected = false; s.lastError = "\(error)"; s.stream = nil }
                    return s.connected
                }
                if first { report("etcd watch lost: \(error); retrying") }
            }
            if stopped { return }
            Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            delay = min(delay * 2, .seconds(2))
        }
    }

    /// One watch stream, from the revision after the cache's, until it ends or fails.
    private func watchOnce() throws(EtcdError) {
        let prefix = Array(layout.rootPrefix.utf8)
        let request: JSON = ["create_request": [
            "key": EtcdBase64.encode(prefix), "range_end": EtcdBase64.encode(EtcdBase64.prefixEnd(prefix)),
            "start_revision": .string(String(memory.currentRevision + 1)), "progress_notify": true,
        ]]
        let stream = try client.openStream("/v3/watch", request)
        let stop = watchState.withLock { s -> Bool in
            s.stream = stream
            return s.stopped
        }
        if stop { return }
        var lines = EtcdLineSplitter()
        while let chunk = try stream.readChunk() {
            for line in lines.append(chunk) {
                guard let message = try? JSONParser.parse(line).value else { throw .malformed("watch: not JSON") }
                try handle(message)
            }
        }
        throw .unreachable("watch stream ended")
    }

    private func handle(_ message: JSON) throws(EtcdError) {
        if let error = message["error"] {
            throw .failed(code: Int(EtcdClient.int(error["grpc_code"] ?? error["code"]) ?? -1),
                          message: error["message"]?.stringValue ?? "watch error")
        }
        guard let result = message["result"] else { return }
        if result["created"]?.boolValue == true {
            watchState.withLock { s in s.connected = true; s.lastError = "" }
            report("etcd watch from revision \(memory.currentRevision + 1)")
        }
        if let compacted = EtcdClient.int(result["compact_revision"]), compacted > 0 {
            report("etcd compacted past revision \(memory.currentRevision) (now at \(compacted)): relisting")
            try relist()
            throw .unreachable("watch restarted after a relist")
        }
        if result["canceled"]?.boolValue == true {
            throw .failed(code: -1, message: result["cancel_reason"]?.stringValue ?? "watch canceled")
        }
        var events: [StorageEvent] = []
        var revision = memory.currentRevision
        // The newest revision the batch reports, also of changes the cache skips (a foreign key under
        // the prefix): the cache has seen it, so a consistent read waiting for it need not wait on.
        var seen = revision
        // Each key's state after the batch's earlier events: the previous state of its later ones.
        var batch: [StorageKey: StoredObject?] = [:]
        for raw in result["events"]?.arrayValue ?? [] {
            seen = max(seen, EtcdClient.int(raw[path: "kv", "mod_revision"]) ?? 0)
            guard let event = storageEvent(raw, previous: { key in batch[key] ?? memory.get(key) }) else { continue }
            // A transaction of several writes (not Kubelite's: one key each) shares one revision;
            // the cache orders by revision, so only the first is kept.
            guard event.revision > revision else {
                report("ignoring a second change at revision \(event.revision) (\(event.object.key))")
                continue
            }
            revision = event.revision
            events.append(event)
            batch[event.object.key] = .some(event.kind == .deleted ? nil : event.object)
        }
        if !events.isEmpty { memory.apply(events) }
        if seen > revision { memory.advance(to: seen) }
        if !events.isEmpty || seen > revision { waiters.release(upTo: seen) }
    }

    /// A watch event as the cache's event: deletions carry the previous value stamped with the
    /// deletion's revision, as upstream's watch cache reports them. The previous value is the
    /// cache's (`previous`), not etcd's prev_kv: the cache holds every key's state before the event,
    /// so asking etcd for it would only make every update and delete travel, and be decoded, twice.
    private func storageEvent(_ raw: JSON, previous cached: (StorageKey) -> StoredObject?) -> StorageEvent? {
        guard let kvJSON = raw["kv"], let kv = try? EtcdKeyValue(kvJSON) else { return nil }
        let previous = layout.storageKey(kv.keyString).flatMap(cached)
        if raw["type"]?.stringValue == "DELETE" {
            guard let previous else { return nil }  // never cached (a foreign key): nothing to remove
            return StorageEvent(kind: .deleted, object: Self.stored(previous.object, key: previous.key, revision: kv.modRevision),
                                previous: previous)
        }
        guard let object = Self.storedObject(kv, layout: layout, transformer: transformer, report: report) else { return nil }
        return StorageEvent(kind: kv.createRevision == kv.modRevision ? .added : .modified, object: object, previous: previous)
    }

    /// Lists anew and applies the differences with the cache as events, in revision order: changed
    /// objects at their mod_revision; removed ones at revisions of the gap no surviving object
    /// holds (each deletion took one of them, Kubelite's transactions writing one key each).
    private func relist() throws(EtcdError) {
        let fresh = try Self.listAll(client: client, layout: layout, transformer: transformer, report: report)
        let base = memory.currentRevision
        var changes: [StorageEvent] = []
        var taken = Set<Int64>()
        for (key, object) in fresh.objects where object.revision > base {
            let previous = memory.get(key)
            changes.append(StorageEvent(kind: previous == nil ? .added : .modified, object: object, previous: previous))
            taken.insert(object.revision)
        }
        var free = (base + 1...max(base + 1, fresh.revision)).lazy.filter { !taken.contains($0) }.makeIterator()
        for resource in memory.resourceNames() {
            for gone in memory.list(resource: resource, namespace: nil).items where fresh.objects[gone.key] == nil {
                guard let revision = free.next(), revision <= fresh.revision else {
                    report("relist: no revision left for the deletion of \(gone.key)")
                    continue
                }
                changes.append(StorageEvent(kind: .deleted, object: Self.stored(gone.object, key: gone.key, revision: revision),
                                            previous: gone))
            }
        }
        changes.sort { $0.revision < $1.revision }
        if !changes.isEmpty { memory.apply(changes) }
        memory.advance(to: fresh.revision)
        waiters.release(upTo: memory.currentRevision)
    }
}

/// Splits a chunked stream into the newline-delimited JSON messages the gateway writes.
struct EtcdLineSplitter {
    private var pending: [UInt8] = []

    mutating func append(_ bytes: [UInt8]) -> [[UInt8]] {
        pending += bytes
        var lines: [[UInt8]] = []
        var start = 0
        while let newline = pending[start...].firstIndex(of: 10) {
            let line = pending[start..<newline]
            if line.contains(where: { $0 != 32 && $0 != 13 }) { lines.append(Array(line)) }
            start = newline + 1
        }
        pending.removeFirst(start)
        return lines
    }
}
