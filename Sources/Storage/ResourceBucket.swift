/// The objects of one resource in the memory backend: a hash map for point reads, and the same
/// objects in a chunked sorted index so lists and pages are served in order without sorting, and a
/// create costs a search and a move within one chunk rather than within the whole resource.
///
/// Invariant: `ordered` holds exactly the values of `objects`, strictly increasing by key.
struct ResourceBucket {
    private(set) var objects: [StorageKey: StoredObject] = [:]
    private(set) var ordered = SortedObjectIndex()

    subscript(key: StorageKey) -> StoredObject? { objects[key] }

    /// Stores `object`: a new key is inserted in order, an existing one is replaced in place.
    mutating func put(_ object: StoredObject) {
        objects[object.key] = object
        ordered.put(object)
    }

    mutating func remove(_ key: StorageKey) {
        guard objects.removeValue(forKey: key) != nil else { return }
        ordered.remove(key)
    }

    /// Positions of the objects in `namespace` (all when nil) whose keys are at or after `from`.
    func range(namespace: String?, from: StorageKey?) -> Range<SortedObjectIndex.Index> {
        var lower = ordered.startIndex, upper = ordered.endIndex
        if let namespace {
            lower = ordered.lowerBound(namespace: namespace, name: "")
            upper = ordered.upperBound(namespace: namespace)
        }
        if let from { lower = max(lower, ordered.lowerBound(from)) }
        return lower..<max(lower, upper)
    }
}
