import APIMachinery
import Storage

extension Informer {
    /// Replaces the cache with a fresh list (client-go's DeltaFIFO Replace) and tells the handlers
    /// what differs, once each: added for an object not cached, updated for one whose
    /// resourceVersion moved, deleted (with its last known state) for one no longer listed. An
    /// object listed unchanged is not reported. Marks the informer synced.
    func replace(_ items: [StoredObject], revision: Int64) {
        var changes: [Change] = []
        state.withLock { cache in
            var fresh = Cache()
            fresh.revision = revision
            for item in items {
                let key = ObjectName(namespace: item.key.namespace, name: item.key.name)
                fresh.objects[key.namespace, default: [:]][key.name] = item
                let object = item.object
                Self.index(object, key, &fresh)
                if let old = cache.objects[key.namespace]?[key.name] {
                    if old.revision != item.revision {
                        changes.append(.updated(old, item))
                        applyToIndexes(key, old: old.object, new: item)
                    }
                } else {
                    changes.append(.added(item))
                    applyToIndexes(key, old: nil, new: item)
                }
            }
            for (namespace, objects) in cache.objects {
                for (name, old) in objects where fresh.objects[namespace]?[name] == nil {
                    changes.append(.deleted(old))
                    applyToIndexes(ObjectName(namespace: namespace, name: name), old: old.object, new: nil)
                }
            }
            cache = fresh
        }
        // The changes keep stored objects and each is decoded as its turn comes: a relist of
        // 100,000 pods never holds 100,000 trees at once.
        for change in changes {
            switch change {
            case .added(let new):
                let object = new.object
                for h in handlers { h.added(object) }
            case .updated(let old, let new):
                let (previous, object) = (old.object, new.object)
                for h in handlers { h.updated(previous, object) }
            case .deleted(let old):
                let object = old.object
                for h in handlers { h.deleted(object) }
            }
        }
        markSynced()
    }

    private enum Change {
        case added(StoredObject)
        case updated(StoredObject, StoredObject)
        case deleted(StoredObject)
    }
}
