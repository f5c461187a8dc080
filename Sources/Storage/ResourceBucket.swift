/// The objects of one resource in the memory backend: a hash map for point reads, and the same
/// objects kept sorted by namespace then name so lists and pages are served in order without sorting.
///
/// Invariant: `ordered` holds exactly the values of `objects`, strictly increasing by key.
struct ResourceBucket {
    private(set) var objects: [StorageKey: StoredObject] = [:]
    private(set) var ordered: [StoredObject] = []

    subscript(key: StorageKey) -> StoredObject? { objects[key] }

    /// Stores `object`: a new key is inserted in order (a binary search and one move of the objects
    /// after it, cheaper than sorting on every list); an existing one is replaced in place.
    mutating func put(_ object: StoredObject) {
        let position = Self.lowerBound(ordered, object.key)
        if objects.updateValue(object, forKey: object.key) == nil {
            ordered.insert(object, at: position)
        } else {
            ordered[position] = object
        }
    }

    mutating func remove(_ key: StorageKey) {
        guard objects.removeValue(forKey: key) != nil else { return }
        ordered.remove(at: Self.lowerBound(ordered, key))
    }

    /// Positions of the objects in `namespace` (all when nil) whose keys are at or after `from`.
    func range(namespace: String?, from: StorageKey?) -> Range<Int> {
        var lower = 0, upper = ordered.count
        if let namespace {
            lower = Self.lowerBound(ordered, namespace: namespace, name: "")
            upper = Self.upperBound(ordered, namespace: namespace)
        }
        if let from { lower = max(lower, Self.lowerBound(ordered, from)) }
        return lower..<max(lower, upper)
    }

    /// Bucket order: namespace, then name (every key of a bucket has the same resource).
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
