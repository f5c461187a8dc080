import APIMachinery
import Storage
import Synchronization

/// Hands out node ports from `--service-node-port-range` (default 30000-32767) as upstream's port
/// allocator does: a requested port is honoured when free and in range, dynamic picks prefer the
/// upper part of the range (KEP-3070). The set in use (every `nodePort` and `healthCheckNodePort`
/// of stored Services) is rebuilt from storage on first use.
public final class NodePortAllocator: Sendable {
    public let range: ClosedRange<Int>
    private let storage: any Storage
    private let state: Mutex<RangeAllocation?> = Mutex(nil)

    public static let defaultRange = 30000...32767

    public init(range: ClosedRange<Int> = NodePortAllocator.defaultRange, storage: any Storage) {
        self.range = range
        self.storage = storage
    }

    /// The range as upstream prints it: `30000-32767`.
    public var rangeDescription: String { "\(range.lowerBound)-\(range.upperBound)" }

    public var free: Int { withState { $0.free } }

    public func isAllocated(_ port: Int) -> Bool {
        range.contains(port) && withState { $0.contains(port - range.lowerBound) }
    }

    func allocate(_ port: Int) throws(RangeAllocationError) {
        guard range.contains(port) else {
            throw .notInRange(message: "provided port is not in the valid range. The range of valid ports is \(rangeDescription)")
        }
        let taken = withState { $0.allocate(port - range.lowerBound) }
        if !taken { throw .allocated(message: "provided port is already allocated") }
    }

    func allocateNext() throws(RangeAllocationError) -> Int {
        guard let ordinal = withState({ $0.allocateNext() }) else { throw .full }
        return range.lowerBound + ordinal
    }

    func release(_ port: Int) {
        guard range.contains(port) else { return }
        withState { $0.release(port - range.lowerBound) }
    }

    private func withState<T>(_ body: (inout RangeAllocation) -> T) -> T {
        state.withLock { (slot: inout RangeAllocation?) -> T in
            if slot == nil {
                let size = range.count
                var fresh = RangeAllocation(size: size, offset: RangeAllocation.bandOffset(size: size, lower: 16, step: 32, upper: 128))
                for service in storage.list(resource: "services", namespace: nil).items {
                    for port in ServiceNodePorts.collect(service.object["spec"] ?? [:], healthCheck: true) where range.contains(port) {
                        _ = fresh.allocate(port - range.lowerBound)
                    }
                }
                slot = fresh
            }
            return body(&slot!)
        }
    }
}
