import APIMachinery
import Storage
import Synchronization

/// Hands out ClusterIPs from the service CIDR (default 10.96.0.0/12) as upstream's IP allocator
/// does: the first address of the range belongs to the `kubernetes` Service, a requested address is
/// honoured when free and in range, otherwise a free one is picked at random. The set of addresses in
/// use is rebuilt from stored Services on first use, so it survives nothing but the process.
public final class ServiceIPAllocator: Sendable {
    public let cidr: String
    let base: UInt32
    let size: UInt32
    private let used: Mutex<Set<UInt32>?> = Mutex(nil)

    /// - Parameter cidr: an IPv4 CIDR such as `10.96.0.0/12`.
    public init?(cidr: String) {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let bits = UInt32(parts[1]), (8...30).contains(bits), let address = Self.parse(String(parts[0])) else { return nil }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
        self.cidr = cidr
        base = address & mask
        size = UInt32(1) << (32 - bits)
    }

    /// The address of the `kubernetes` Service: the first usable address of the range.
    public var kubernetesServiceIP: String { Self.format(base + 1) }

    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for o in octets {
            guard let v = UInt32(o), v < 256 else { return nil }
            value = value << 8 | v
        }
        return value
    }

    static func format(_ value: UInt32) -> String {
        "\(value >> 24).\((value >> 16) & 255).\((value >> 8) & 255).\(value & 255)"
    }

    /// Reserves `requested` (or a random free address when nil) and returns it.
    func allocate(_ requested: String?, storage: any Storage) throws(APIError) -> String {
        try used.withLock { (state: inout Set<UInt32>?) throws(APIError) -> String in
            if state == nil { state = Self.inUse(storage) }
            if let requested {
                guard let ip = Self.parse(requested), ip > base, ip < base + size - 1 else {
                    throw APIError.invalid(GroupKind(group: "", kind: "Service"), "", [
                        .invalid(FieldPath("spec.clusterIPs"), .array([.string(requested)]),
                                 "failed to allocate IP \(requested): provided IP (\(requested)) is not in the valid range. The range of valid IPs is \(cidr)"),
                    ])
                }
                guard !state!.contains(ip) else {
                    throw APIError.invalid(GroupKind(group: "", kind: "Service"), "", [
                        .invalid(FieldPath("spec.clusterIPs"), .array([.string(requested)]),
                                 "failed to allocate IP \(requested): provided IP is already allocated"),
                    ])
                }
                state!.insert(ip)
                return requested
            }
            let usable = size - 2
            guard UInt32(state!.count) < usable else {
                throw APIError.internalError("failed to allocate a serviceIP: range is full")
            }
            var generator = SystemRandomNumberGenerator()
            var candidate = base + 1 + UInt32.random(in: 0..<usable, using: &generator)
            while state!.contains(candidate) || candidate == base + 1 {
                candidate = candidate + 1 >= base + size - 1 ? base + 2 : candidate + 1
            }
            state!.insert(candidate)
            return Self.format(candidate)
        }
    }

    func release(_ address: String) {
        guard let ip = Self.parse(address) else { return }
        used.withLock { state in _ = state?.remove(ip) }
    }

    private static func inUse(_ storage: any Storage) -> Set<UInt32> {
        var set: Set<UInt32> = []
        for service in storage.list(resource: "services", namespace: nil).items {
            for ip in service.object[path: "spec", "clusterIPs"]?.arrayValue ?? [] {
                if let s = ip.stringValue, let v = parse(s) { set.insert(v) }
            }
        }
        return set
    }
}
