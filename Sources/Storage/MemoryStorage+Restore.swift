/// How a durable backend drives the memory backend, which it keeps as its read path: it restores
/// the stored state at startup, then applies each change once it is on disk, with the revision it
/// assigned. Applying publishes to listeners exactly as the memory backend's own writes do.
extension MemoryStorage {
    /// Puts an object as it was stored, without an event (the state at the history's start).
    func restore(_ object: StoredObject) {
        state.withLock { s in
            s.buckets[object.key.resource, default: ResourceBucket()].put(object)
        }
    }

    /// Applies changes already validated and made durable, in revision order; each must be newer
    /// than the current revision.
    func apply(_ events: [StorageEvent]) {
        state.withLock { s in
            for event in events {
                precondition(event.revision > s.revision, "durable changes applied out of revision order")
                s.revision = event.revision
                switch event.kind {
                case .added, .modified:
                    s.buckets[event.object.key.resource, default: ResourceBucket()].put(event.object)
                case .deleted:
                    s.buckets[event.object.key.resource]?.remove(event.object.key)
                }
                s.history.append(event)
                for listener in s.listeners.values { listener(event) }
            }
        }
    }

    /// Puts the changes after the history's start into the history, in revision order, without
    /// applying them: a restart has already restored each key's final state (`restore`), which is
    /// what applying them one by one would leave. Nothing listens yet.
    func restoreHistory(_ events: [StorageEvent]) {
        state.withLock { s in
            for event in events {
                precondition(event.revision > s.revision, "durable changes restored out of revision order")
                s.revision = event.revision
                s.history.append(event)
            }
        }
    }

    /// Moves the revision forward without a change (a durable backend's restored revision when its
    /// newest rows were compacted away).
    func advance(to revision: Int64) {
        state.withLock { s in s.revision = max(s.revision, revision) }
    }

    /// Forgets the history at or below `revision` (the backend compacted it): a watch or an exact
    /// list from before it is then 410 Expired here as it would be from the backend.
    func compactHistory(through revision: Int64) {
        state.withLock { s in s.history.compact(through: min(revision, s.revision)) }
    }

    /// The resources holding at least one object (a relist compares each with etcd's state).
    func resourceNames() -> [String] {
        state.withLock { Array($0.buckets.keys) }
    }
}
