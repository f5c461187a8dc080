/// The objects of one resource sorted by namespace then name, kept in leaf chunks of at most
/// `maxChunk` objects so that inserting or removing one object moves at most one chunk's elements
/// (a single sorted array moved half the resource per create, under the storage lock).
///
/// Invariants: no chunk is empty; every chunk is strictly increasing by key and precedes the next
/// chunk entirely; `count` is the sum of the chunks' counts. A position is (chunk, offset), ordered
/// lexicographically, so ranges of positions keep working for pages and snapshot merges;
/// `endIndex` is (chunks.count, 0). Positions are invalidated by any mutation.
struct SortedObjectIndex: BidirectionalCollection {
    struct Index: Comparable {
        let chunk: Int
        let offset: Int

        static func < (a: Index, b: Index) -> Bool {
            a.chunk != b.chunk ? a.chunk < b.chunk : a.offset < b.offset
        }
    }

    /// A full chunk splits in two halves; small enough that an insertion's move stays a few KiB,
    /// large enough that the chunk array (searched and counted over) stays short.
    static let maxChunk = 256

    private(set) var chunks: [[StoredObject]] = []
    private(set) var count = 0

    var startIndex: Index { Index(chunk: 0, offset: 0) }
    var endIndex: Index { Index(chunk: chunks.count, offset: 0) }
    var isEmpty: Bool { count == 0 }

    subscript(position: Index) -> StoredObject { chunks[position.chunk][position.offset] }

    func index(after i: Index) -> Index {
        i.offset + 1 < chunks[i.chunk].count ? Index(chunk: i.chunk, offset: i.offset + 1) : Index(chunk: i.chunk + 1, offset: 0)
    }

    func index(before i: Index) -> Index {
        i.offset > 0 ? Index(chunk: i.chunk, offset: i.offset - 1) : Index(chunk: i.chunk - 1, offset: chunks[i.chunk - 1].count - 1)
    }

    /// Counts by whole chunks: O(number of chunks), not O(distance).
    func distance(from start: Index, to end: Index) -> Int {
        guard start <= end else { return -distance(from: end, to: start) }
        if start.chunk == end.chunk { return end.offset - start.offset }
        var total = chunks[start.chunk].count - start.offset + end.offset
        for c in (start.chunk + 1)..<end.chunk { total += chunks[c].count }
        return total
    }

    /// Skips whole chunks; `distance` must be non-negative (pages only move forward).
    func index(_ i: Index, offsetBy distance: Int) -> Index {
        precondition(distance >= 0, "SortedObjectIndex only offsets forward")
        var chunk = i.chunk, offset = i.offset + distance
        while chunk < chunks.count, offset >= chunks[chunk].count {
            offset -= chunks[chunk].count
            chunk += 1
        }
        precondition(chunk < chunks.count || offset == 0, "offset past endIndex")
        return Index(chunk: chunk, offset: offset)
    }

    /// The first position whose key is not before (namespace, name).
    func lowerBound(namespace: String, name: String) -> Index {
        // The first chunk whose last key is not before the target holds the position, if any does.
        var lo = 0, hi = chunks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Self.before(chunks[mid][chunks[mid].count - 1].key, namespace, name) { lo = mid + 1 } else { hi = mid }
        }
        guard lo < chunks.count else { return endIndex }
        return Index(chunk: lo, offset: SortedObjects.lowerBound(chunks[lo], namespace: namespace, name: name))
    }

    func lowerBound(_ key: StorageKey) -> Index { lowerBound(namespace: key.namespace, name: key.name) }

    /// The first position past every key of `namespace`.
    func upperBound(namespace: String) -> Index {
        var lo = 0, hi = chunks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if chunks[mid][chunks[mid].count - 1].key.namespace <= namespace { lo = mid + 1 } else { hi = mid }
        }
        guard lo < chunks.count else { return endIndex }
        let offset = SortedObjects.upperBound(chunks[lo], namespace: namespace)
        return offset < chunks[lo].count ? Index(chunk: lo, offset: offset) : Index(chunk: lo + 1, offset: 0)
    }

    /// Inserts `object`, or replaces the object with the same key; true when it was inserted.
    @discardableResult
    mutating func put(_ object: StoredObject) -> Bool {
        guard !chunks.isEmpty else {
            chunks.append([object])
            count = 1
            return true
        }
        var at = lowerBound(object.key)
        if at.chunk < chunks.count, chunks[at.chunk][at.offset].key == object.key {
            chunks[at.chunk][at.offset] = object
            return false
        }
        // Past every key: append to the last chunk.
        if at.chunk == chunks.count { at = Index(chunk: chunks.count - 1, offset: chunks[chunks.count - 1].count) }
        chunks[at.chunk].insert(object, at: at.offset)
        count += 1
        if chunks[at.chunk].count > Self.maxChunk {
            let half = chunks[at.chunk].count / 2
            let upper = Array(chunks[at.chunk][half...])
            chunks[at.chunk].removeSubrange(half...)
            chunks.insert(upper, at: at.chunk + 1)
        }
        return true
    }

    /// Removes the object with `key`; true when there was one.
    @discardableResult
    mutating func remove(_ key: StorageKey) -> Bool {
        let at = lowerBound(key)
        guard at.chunk < chunks.count, chunks[at.chunk][at.offset].key == key else { return false }
        chunks[at.chunk].remove(at: at.offset)
        count -= 1
        if chunks[at.chunk].isEmpty {
            chunks.remove(at: at.chunk)
        } else {
            mergeIfSparse(at.chunk)
        }
        return true
    }

    /// Joins a chunk that fell below a quarter full with a neighbour when both fit in half a chunk,
    /// so deletions cannot leave many near-empty chunks behind, and the joined chunk has room
    /// for inserts before it splits again.
    private mutating func mergeIfSparse(_ c: Int) {
        guard chunks[c].count < Self.maxChunk / 4 else { return }
        for (left, right) in [(c - 1, c), (c, c + 1)] where left >= 0 && right < chunks.count {
            if chunks[left].count + chunks[right].count <= Self.maxChunk / 2 {
                let moved = chunks.remove(at: right)
                chunks[left].append(contentsOf: moved)
                return
            }
        }
    }

    private static func before(_ k: StorageKey, _ namespace: String, _ name: String) -> Bool {
        k.namespace < namespace || (k.namespace == namespace && k.name < name)
    }
}
