import APIMachinery
import DequeModule
import Synchronization

/// The decoded trees of stored objects, bounded: every object keeps its JSON bytes, and its tree only
/// while it is among the recently read. A tree costs about five times its JSON (every member a
/// dictionary entry, every string its own allocation), so 100,000 pods kept as trees take six times
/// their JSON; kept as bytes with a bounded set of trees, little over one time. A read that finds
/// its object's tree evicted decodes the bytes again (microseconds for a pod).
///
/// Eviction is second chance (CLOCK) over the trees in the order they were decoded: a tree read since
/// the hand last passed it is kept for another round, so the objects controllers and watches keep
/// reading stay decoded. The queue holds its trees strongly: a replaced or deleted object's tree stays
/// until the hand reaches it (the budget bounds it all the same), which spares every write a weak
/// reference (a side table per object) and every pass of the hand a weak load.
public final class DecodedTreeCache: Sendable {
    /// The cache stored objects use. Its budget is set once at startup (`--decoded-object-cache-bytes`).
    public static let shared = DecodedTreeCache(budget: defaultBudget)
    /// 32 MiB of trees: about 3,000 pods' (a thousand-replica rollout's working set, with room), far
    /// below the 1.1 GiB 100,000 pods would take as trees.
    public static let defaultBudget = 32 << 20
    /// A tree's memory against its JSON's (measured: 100,000 pods, 221 MiB of JSON, 1.1 GiB of trees).
    static let treeBytesPerJSONByte = 5

    private let queue = Mutex(Deque<DeferredTree>())
    /// Estimated bytes of the trees held now (each held tree's cost, counted while it is held).
    let held = Atomic<Int>(0)
    private let budget: Atomic<Int>

    public init(budget: Int) { self.budget = Atomic(budget) }

    /// Sets the bound; trees over it are evicted at the next admission.
    public func setBudget(_ bytes: Int) { budget.store(max(0, bytes), ordering: .relaxed) }

    /// Estimated bytes of decoded trees held now.
    public var heldBytes: Int { held.load(ordering: .relaxed) }
    public var budgetBytes: Int { budget.load(ordering: .relaxed) }
    /// Trees built from bytes (no tree was kept), and trees evicted, since the start.
    public var builtCount: Int { built.load(ordering: .relaxed) }
    public var evictedCount: Int { evicted.load(ordering: .relaxed) }
    let built = Atomic<Int>(0)
    let evicted = Atomic<Int>(0)

    /// A tree was just built or attached: it joins the queue, and trees over the budget are evicted,
    /// oldest first, skipping (once) those read since the hand last passed them.
    func admit(_ tree: DeferredTree) {
        var victims: [DeferredTree] = []
        queue.withLock { queue in
            queue.append(tree)
            // Each entry is looked at most twice: once to clear its mark, once to evict it. Trees are
            // dropped outside this lock (freeing a tree is most of an eviction's cost), so what they
            // free is counted here.
            var steps = 2 * queue.count
            var freeing = 0
            let limit = budget.load(ordering: .relaxed)
            while held.load(ordering: .relaxed) - freeing > limit, steps > 0, let candidate = queue.popFirst() {
                steps -= 1
                if candidate.takeReference() {
                    queue.append(candidate)
                } else {
                    victims.append(candidate)
                    freeing += candidate.cost
                }
            }
        }
        guard !victims.isEmpty else { return }
        for candidate in victims { candidate.evict() }
        evicted.add(victims.count, ordering: .relaxed)
    }
}

/// The tree of one stored object: held while recently read (see `DecodedTreeCache`), built again
/// from the bytes when read after eviction. Shared by every copy of the stored object. A counted
/// tree (cost above 0) is in the cache's queue for as long as it is held, so it is only ever given
/// back by eviction.
final class DeferredTree: Sendable {
    private let state = Mutex<JSON?>(nil)
    /// Read since the clock hand last passed. A tree starts unmarked: the reader that built it (or the
    /// write that made it) has its own copy, and only a second read says it is worth keeping.
    private let referenced = Atomic<Bool>(false)
    /// What holding the tree costs (`DecodedTreeCache.treeBytesPerJSONByte` × the JSON's size).
    let cost: Int
    private let cache: DecodedTreeCache

    init(cost: Int, cache: DecodedTreeCache) {
        self.cost = cost; self.cache = cache
    }

    /// A tree already at hand (an object written through the API): held from the start. One
    /// without bytes to build it again from (cost 0: a test's object) is never evicted.
    init(tree: JSON, cost: Int, cache: DecodedTreeCache) {
        self.cost = cost; self.cache = cache
        state.withLock { $0 = tree }
        guard cost > 0 else { return }
        cache.held.add(cost, ordering: .relaxed)
        cache.admit(self)
    }

    func value(of bytes: [UInt8]) -> JSON {
        if let tree = state.withLock({ $0 }) {
            if !referenced.load(ordering: .relaxed) { referenced.store(true, ordering: .relaxed) }
            return tree
        }
        // Decoded outside the lock: two first readers may both decode, and the first one kept wins.
        // The bytes were validated (or written by the encoder), so this cannot fail.
        let decoded = (try? JSONParser.parse(bytes).value) ?? .null
        let (tree, admitted) = state.withLock { kept -> (JSON, Bool) in
            if let kept { return (kept, false) }
            kept = decoded
            return (decoded, true)
        }
        if admitted {
            cache.built.add(1, ordering: .relaxed)
            cache.held.add(cost, ordering: .relaxed)
            cache.admit(self)
        }
        return tree
    }

    /// Whether the tree is decoded now.
    var isHeld: Bool { state.withLock { $0 != nil } }

    /// Clears the mark the hand looks at; true when it was set (the tree was read since).
    func takeReference() -> Bool { referenced.exchange(false, ordering: .relaxed) }

    func evict() {
        let dropped = state.withLock { tree -> JSON? in
            defer { tree = nil }
            return tree
        }
        if dropped != nil { cache.held.subtract(cost, ordering: .relaxed) }
    }
}
