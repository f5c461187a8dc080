/// Fills one page of a list from a backend's ordered reads, the way upstream's etcd store does:
/// read a chunk at the snapshot revision, filter it, and read further chunks (doubling, up to
/// `maxChunk`) at the same revision until the limit is met or the objects run out.
enum ListPager {
    /// Objects in order at `revision` from some position, and whether more follow the last of them.
    struct Chunk {
        var items: [StoredObject]
        var revision: Int64
        var more: Bool
        /// How many objects follow the last item, when asked for.
        var remaining: Int?
    }

    /// Upstream's cap on the objects fetched per storage call while filling a filtered page.
    static let maxChunk = 10_000

    /// `read(revision, from, max, countRemaining)` returns at most `max` objects at `revision` (the
    /// newest when nil, and then says which revision that was) from `from` on.
    static func page(_ request: ListRequest,
                     read: (Int64?, StorageKey?, Int, Bool) throws(StorageError) -> Chunk) throws(StorageError) -> ListPage {
        let limit = request.limit > 0 ? request.limit : Int.max
        var items: [StoredObject] = []
        var revision = request.revision
        var from = request.from
        var chunkSize = limit
        while true {
            // Without a predicate the chunk is the page: its remaining count is the list's.
            let chunk = try read(revision, from, chunkSize, request.predicate == nil)
            revision = chunk.revision
            if request.predicate == nil, items.isEmpty, chunk.items.count <= limit, !chunk.more || chunk.items.count == limit,
               let last = chunk.items.last {
                // Unfiltered, the first chunk is the page (at most `limit` objects): handed on as it is,
                // not copied item by item (five retains and releases each).
                guard chunk.more else { return ListPage(items: chunk.items, revision: chunk.revision) }
                return ListPage(items: chunk.items, revision: chunk.revision, continueAfter: last.key, remainingCount: chunk.remaining)
            }
            for (index, object) in chunk.items.enumerated() {
                if let predicate = request.predicate, !predicate(object) { continue }
                items.append(object)
                if items.count == limit {
                    guard index < chunk.items.count - 1 || chunk.more else { break }
                    let remaining = request.predicate == nil ? chunk.remaining : nil
                    return ListPage(items: items, revision: chunk.revision, continueAfter: object.key, remainingCount: remaining)
                }
            }
            guard chunk.more, items.count < limit, let last = chunk.items.last else {
                return ListPage(items: items, revision: chunk.revision)
            }
            from = last.key.successor
            if chunkSize < maxChunk { chunkSize = min(chunkSize * 2, maxChunk) }
        }
    }

    /// Reads a chunk from objects already in list order (backends without an ordered index).
    static func chunk(of sorted: [StoredObject], revision: Int64, from: StorageKey?, max: Int) -> Chunk {
        let start = from.map { SortedObjects.lowerBound(sorted, $0) } ?? 0
        let end = start + min(max, sorted.count - start)
        return Chunk(items: Array(sorted[start..<end]), revision: revision, more: end < sorted.count,
                     remaining: sorted.count - end)
    }
}
