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
                fresh.objects[key.namespace, default: [:]][key.name] = item.object
                Self.index(item.object, key, &fresh)
                if let old = cache.objects[key.namespace]?[key.name] {
                    if old.meta.resourceVersion != item.object.meta.resourceVersion {
                        changes.append(.updated(old, item.object))
                        applyToIndexes(key, old: old, new: item.object)
                    }
                } else {
                    changes.append(.added(item.object))
                    applyToIndexes(key, old: nil, new: item.object)
                }
            }
            for (namespace, objects) in cache.objects {
                for (name, old) in objects where fresh.objects[namespace]?[name] == nil {
                    changes.append(.deleted(old))
                    applyToIndexes(ObjectName(namespace: namespace, name: name), old: old, new: nil)
                }
            }
            cache = fresh
        }
        for change in changes {
            for h in handlers {
                switch change {
                case .added(let new): h.added(new)
                case .updated(let old, let new): h.updated(old, new)
                case .deleted(let old): h.deleted(old)
                }
            }
        }
        markSynced()
    }

    private enum Change {
        case added(JSON)
        case updated(JSON, JSON)
        case deleted(JSON)
    }
}
