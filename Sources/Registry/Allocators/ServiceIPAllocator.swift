import APIMachinery
import Storage
import Synchronization

/// Hands out ClusterIPs from the service CIDR (`--service-cluster-ip-range`, default 10.96.0.0/12)
/// as upstream's IPv4 bitmap allocator does: the network and broadcast addresses are never given
/// out, the first usable address belongs to the `kubernetes` Service, a requested address is
/// honoured when free and in range, dynamic picks prefer the upper part of the range (KEP-3070).
/// The set in use is rebuilt from stored Services on first use, so a restart over persistent
/// storage keeps every address that Services hold.
public final class ServiceIPAllocator: Sendable {
    public let cidr: String
    let network: UInt32
    private let storage: any Storage
    private let state: Mutex<RangeAllocation?> = Mutex(nil)
    private let size: Int
    private let offset: Int

    /// - Parameter cidr: an IPv4 CIDR with a prefix between /12 and /30 (upstream refuses larger ranges).
    public init?(cidr: String, storage: any Storage) {
        guard Self.validate(cidr: cidr) == nil, let (address, bits) = Self.parseCIDR(cidr) else { return nil }
        let mask: UInt32 = ~UInt32(0) << (32 - bits)
        self.cidr = "\(Self.format(address & mask))/\(bits)"
        self.storage = storage
        network = address & mask
        let rangeSize = 1 << (32 - bits)
        size = rangeSize - 2
        offset = RangeAllocation.bandOffset(size: rangeSize, lower: 16, step: 16, upper: 256)
    }

    /// Why `cidr` cannot be a service range, as kube-apiserver's flag validation says; nil when it can.
    public static func validate(cidr: String) -> String? {
        guard let (_, bits) = parseCIDR(cidr) else {
            return "service-cluster-ip-range \(cidr) is not a valid IPv4 CIDR"
        }
        if bits < 12 {
            return "specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12"
        }
        if bits > 30 { return "specified --service-cluster-ip-range \(cidr) leaves no usable addresses" }
        return nil
    }

    /// The address of the `kubernetes` Service: the first usable address of the range.
    public var kubernetesServiceIP: String { Self.format(network + 1) }

    /// Addresses still free.
    public var free: Int { withState { $0.free } }

    public func isAllocated(_ ip: String) -> Bool {
        guard let ordinal = ordinal(ip) else { return false }
        return withState { $0.contains(ordinal) }
    }

    /// Reserves a specific address.
    func allocate(_ ip: String) throws(RangeAllocationError) {
        guard let ordinal = ordinal(ip) else {
            throw .notInRange(message: "the provided IP (\(ip)) is not in the valid range. The range of valid IPs is \(cidr)")
        }
        let taken = withState { $0.allocate(ordinal) }
        if !taken { throw .allocated(message: "provided IP is already allocated") }
    }

    /// Reserves any free address.
    func allocateNext() throws(RangeAllocationError) -> String {
        guard let ordinal = withState({ $0.allocateNext() }) else { throw .full }
        return Self.format(network + 1 + UInt32(ordinal))
    }

    /// Gives an address back; addresses outside the range are ignored.
    func release(_ ip: String) {
        guard let ordinal = ordinal(ip) else { return }
        withState { $0.release(ordinal) }
    }

    private func ordinal(_ ip: String) -> Int? {
        guard let value = Self.parse(ip), value > network, Int(value - network) <= size else { return nil }
        return Int(value - network) - 1
    }

    private func withState<T>(_ body: (inout RangeAllocation) -> T) -> T {
        state.withLock { (slot: inout RangeAllocation?) -> T in
            if slot == nil {
                var fresh = RangeAllocation(size: size, offset: offset)
                for service in storage.list(resource: "services", namespace: nil).items {
                    for ip in service.object[path: "spec", "clusterIPs"]?.arrayValue ?? [] {
                        if let o = ip.stringValue.flatMap(ordinal) { _ = fresh.allocate(o) }
                    }
                }
                slot = fresh
            }
            return body(&slot!)
        }
    }

    static func parseCIDR(_ cidr: String) -> (UInt32, Int)? {
        let parts = cidr.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]), (0...32).contains(bits), let address = parse(String(parts[0])) else {
            return nil
        }
        return (address, bits)
    }

    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for o in octets {
            guard !o.isEmpty, o.count <= 3, let v = UInt32(o), v < 256 else { return nil }
            value = value << 8 | v
        }
        return value
    }

    static func format(_ value: UInt32) -> String {
        "\(value >> 24).\((value >> 16) & 255).\((value >> 8) & 255).\(value & 255)"
    }
}
