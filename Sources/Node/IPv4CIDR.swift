/// An IPv4 network in CIDR notation (`10.244.0.0/16`), as `--cluster-cidr` and a node's
/// `spec.podCIDR` give it. Only what the node needs: parsing, the per-node /24s and membership.
public struct IPv4CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The network address with the host bits cleared.
    public let network: UInt32
    public let prefixLength: Int

    /// kube-controller-manager's default `--cluster-cidr` on kind and kubeadm with flannel.
    public static let defaultCluster = IPv4CIDR(network: 0x0AF4_0000, prefixLength: 16)

    /// kube-controller-manager's `--node-cidr-mask-size` for IPv4.
    public static let nodeMaskSize = 24

    public init(network: UInt32, prefixLength: Int) {
        self.prefixLength = prefixLength
        self.network = network & Self.mask(prefixLength)
    }

    /// nil unless `text` is `a.b.c.d/n` with four octets and 0 ≤ n ≤ 32.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]), (0...32).contains(length),
              let address = Self.parse(String(parts[0])) else { return nil }
        self.init(network: address, prefixLength: length)
    }

    public var description: String { "\(Self.format(network))/\(prefixLength)" }

    /// How many node /24s fit (kube-controller-manager refuses a node mask shorter than the cluster's).
    public var nodeSubnetCount: Int {
        prefixLength > Self.nodeMaskSize ? 0 : 1 << (Self.nodeMaskSize - prefixLength)
    }

    /// The `index`-th /24 of the network: node `index`'s pod CIDR.
    public func nodeSubnet(_ index: Int) -> IPv4CIDR {
        IPv4CIDR(network: network + UInt32(index) << UInt32(32 - Self.nodeMaskSize), prefixLength: Self.nodeMaskSize)
    }

    /// The `offset`-th address of the network (`.1` is a node's gateway).
    public func address(_ offset: UInt32) -> String { Self.format(network + offset) }

    public func contains(_ address: String) -> Bool {
        guard let value = Self.parse(address) else { return false }
        return value & Self.mask(prefixLength) == network
    }

    /// Whether the two networks share any address.
    public func overlaps(_ other: IPv4CIDR) -> Bool {
        let shorter = min(prefixLength, other.prefixLength)
        return network & Self.mask(shorter) == other.network & Self.mask(shorter)
    }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << UInt32(32 - length) }

    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isASCII), let n = UInt32(octet), n <= 255 else { return nil }
            value = value << 8 | n
        }
        return value
    }

    static func format(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }
}
