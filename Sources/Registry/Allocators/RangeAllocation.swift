/// A pool of ordinals `0..<size`, as upstream's bitmap allocators keep addresses and ports.
///
/// Dynamic picks follow KEP-3070: the range is split at `offset`; a dynamic pick starts at a random
/// ordinal of the upper band `offset..<size` and scans forward, and only falls back to the lower
/// band `0..<offset` when the upper one is full. Requests for specific ordinals may land anywhere,
/// so the lower band stays mostly free for them.
struct RangeAllocation: Sendable {
    let size: Int
    let offset: Int
    private(set) var used: Set<Int> = []

    init(size: Int, offset: Int) {
        self.size = max(0, size)
        self.offset = min(max(0, offset), self.size)
    }

    /// upstream's calculateRangeOffset: min(max(lower, size/step), upper), 0 for small ranges.
    static func bandOffset(size: Int, lower: Int, step: Int, upper: Int) -> Int {
        guard size > lower else { return 0 }
        return min(max(lower, size / step), upper)
    }

    var free: Int { size - used.count }

    func contains(_ ordinal: Int) -> Bool { used.contains(ordinal) }

    /// Takes `ordinal`; false when it is already taken.
    mutating func allocate(_ ordinal: Int) -> Bool {
        used.insert(ordinal).inserted
    }

    /// Takes a free ordinal, upper band first; nil when the pool is full.
    mutating func allocateNext() -> Int? {
        if let ordinal = scan(offset..<size) ?? scan(0..<offset) {
            used.insert(ordinal)
            return ordinal
        }
        return nil
    }

    mutating func release(_ ordinal: Int) { used.remove(ordinal) }

    /// The first free ordinal of `band`, scanning forward from a random start and wrapping.
    private func scan(_ band: Range<Int>) -> Int? {
        guard !band.isEmpty else { return nil }
        var generator = SystemRandomNumberGenerator()
        let start = Int.random(in: band, using: &generator)
        for step in 0..<band.count {
            let candidate = band.lowerBound + (start - band.lowerBound + step) % band.count
            if !used.contains(candidate) { return candidate }
        }
        return nil
    }
}

/// Why a pool refused a request, worded as upstream's allocators word it.
public enum RangeAllocationError: Error, Equatable, Sendable {
    /// The requested value lies outside the pool; `message` is upstream's ErrNotInRange text.
    case notInRange(message: String)
    case allocated(message: String)
    case full

    public var message: String {
        switch self {
        case .notInRange(let m), .allocated(let m): return m
        case .full: return "range is full"
        }
    }
}
