/// Searches over arrays of objects in list order (namespace, then name): a chunk of a
/// `SortedObjectIndex`, a snapshot overlay's prior states, or a backend's sorted list.
enum SortedObjects {
    /// List order: namespace, then name (every key compared here has the same resource).
    static func precedes(_ a: StorageKey, _ b: StorageKey) -> Bool {
        a.namespace != b.namespace ? a.namespace < b.namespace : a.name < b.name
    }

    static func lowerBound(_ objects: [StoredObject], _ key: StorageKey) -> Int {
        lowerBound(objects, namespace: key.namespace, name: key.name)
    }

    /// The first position whose key is not before (namespace, name).
    static func lowerBound(_ objects: [StoredObject], namespace: String, name: String) -> Int {
        var lo = 0, hi = objects.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let k = objects[mid].key
            if k.namespace < namespace || (k.namespace == namespace && k.name < name) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The first position past every key of `namespace`.
    static func upperBound(_ objects: [StoredObject], namespace: String) -> Int {
        var lo = 0, hi = objects.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if objects[mid].key.namespace <= namespace { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
