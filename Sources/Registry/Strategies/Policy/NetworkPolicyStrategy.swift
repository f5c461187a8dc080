import APIMachinery
import Glibc

/// networking.k8s.io/v1 NetworkPolicies (pkg/apis/networking/validation, ValidateNetworkPolicy;
/// SetDefaults_NetworkPolicy). Stored and validated: Kubelite's pod network does not enforce them,
/// as a cluster whose network plugin has no policy support does not.
public struct NetworkPolicyStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.networkPolicies }
    public var tracksGeneration: Bool { true }

    static let protocols = ["SCTP", "TCP", "UDP"]
    static let policyTypes = ["Egress", "Ingress"]

    /// Ports default to TCP; policyTypes to Ingress, plus Egress when egress rules are given.
    public func applyDefaults(_ object: inout JSON) {
        object.setDefault("spec", .object([:]))
        object.modifyPath("spec") { spec in
            spec.setDefault("podSelector", .object([:]))
            for direction in ["ingress", "egress"] {
                guard var rules = spec[direction]?.arrayValue else { continue }
                for i in rules.indices {
                    guard var ports = rules[i]["ports"]?.arrayValue else { continue }
                    for j in ports.indices { ports[j].setDefaultString("protocol", "TCP") }
                    rules[i]["ports"] = .array(ports)
                }
                spec[direction] = .array(rules)
            }
            if spec.array("policyTypes").isEmpty {
                var types: [JSON] = ["Ingress"]
                if !spec.array("egress").isEmpty { types.append("Egress") }
                spec["policyTypes"] = .array(types)
            }
        }
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        let path = FieldPath("spec")
        var errs = LabelSelector.validate(spec["podSelector"], path: path.child("podSelector"))
        for (direction, peers) in [("ingress", "from"), ("egress", "to")] {
            for (i, rule) in spec.array(direction).enumerated() {
                let rulePath = path.child(direction).index(i)
                for (j, port) in rule.array("ports").enumerated() {
                    errs += Self.validatePort(port, rulePath.child("ports").index(j))
                }
                for (j, peer) in rule.array(peers).enumerated() {
                    errs += Self.validatePeer(peer, rulePath.child(peers).index(j))
                }
            }
        }
        let types = spec.array("policyTypes")
        for (i, type) in types.enumerated() {
            errs += FieldValidation.enumValue(type, Self.policyTypes, path.child("policyTypes").index(i))
        }
        if types.count > 2 {
            errs.append(.invalid(path.child("policyTypes"), spec["policyTypes"], "may not specify more than two policyTypes"))
        }
        return errs
    }

    /// ValidateNetworkPolicyPort: a known protocol, a port number in range or a port name, and an
    /// endPort only beside a numeric port it does not undercut.
    static func validatePort(_ port: JSON, _ path: FieldPath) -> [FieldError] {
        var errs = FieldValidation.enumValue(port["protocol"], protocols, path.child("protocol"), required: false)
        switch port["port"] {
        case .int(let number)?:
            if !(1...65535).contains(number) {
                errs.append(.invalid(path.child("port"), port["port"], "must be between 1 and 65535, inclusive"))
            }
            if let end = port["endPort"]?.intValue {
                if end < number { errs.append(.invalid(path.child("endPort"), port["endPort"], "must be greater than or equal to `port`")) }
                if !(1...65535).contains(end) { errs.append(.invalid(path.child("endPort"), port["endPort"], "must be between 1 and 65535, inclusive")) }
            }
        case .string(let name)?:
            for message in NameValidation.isValidPortName(name) { errs.append(.invalid(path.child("port"), port["port"], message)) }
            if port["endPort"]?.intValue != nil {
                errs.append(.forbidden(path.child("endPort"), "may not be specified when `port` is non-numeric"))
            }
        default:
            if port["endPort"]?.intValue != nil {
                errs.append(.forbidden(path.child("endPort"), "may not be specified when `port` is not specified"))
            }
        }
        return errs
    }

    /// ValidateNetworkPolicyPeer: exactly one of the selectors or an ipBlock.
    static func validatePeer(_ peer: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        var given = 0
        if let selector = peer["podSelector"], selector != .null {
            given += 1
            errs += LabelSelector.validate(selector, path: path.child("podSelector"))
        }
        if let selector = peer["namespaceSelector"], selector != .null {
            given += 1
            errs += LabelSelector.validate(selector, path: path.child("namespaceSelector"))
        }
        if let block = peer["ipBlock"], block != .null {
            given += 1
            errs += validateIPBlock(block, path.child("ipBlock"))
        }
        if given == 0 {
            errs.append(.required(path, "must specify a peer"))
        } else if given > 1, peer["ipBlock"] != nil, peer["ipBlock"] != .null {
            errs.append(.forbidden(path, "may not specify both ipBlock and another peer"))
        }
        return errs
    }

    /// ValidateIPBlock: a CIDR, and exceptions inside it.
    static func validateIPBlock(_ block: JSON, _ path: FieldPath) -> [FieldError] {
        let cidr = block["cidr"]?.stringValue ?? ""
        if cidr.isEmpty { return [.required(path.child("cidr"), "")] }
        guard let network = CIDRBlock(cidr) else {
            return [.invalid(path.child("cidr"), block["cidr"], "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")]
        }
        var errs: [FieldError] = []
        for (i, exception) in block.array("except").enumerated() {
            let text = exception.stringValue ?? ""
            guard let excluded = CIDRBlock(text) else {
                errs.append(.invalid(path.child("except").index(i), exception, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
                continue
            }
            if !network.contains(excluded) {
                errs.append(.invalid(path.child("except").index(i), exception, "must be a strict subset of `cidr`"))
            }
        }
        return errs
    }
}

/// An IPv4 or IPv6 network, as bytes and a prefix length, for containment checks.
struct CIDRBlock {
    let address: [UInt8]
    let bits: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]) else { return nil }
        let ip = String(parts[0])
        var bytes = [UInt8](repeating: 0, count: 16)
        if NameValidation.isValidIPv4(ip), (0...32).contains(bits) {
            address = ip.split(separator: ".").compactMap { UInt8($0) }
        } else if NameValidation.isValidIPv6(ip), (0...128).contains(bits), inet_pton(AF_INET6, ip, &bytes) == 1 {
            address = bytes
        } else {
            return nil
        }
        self.bits = bits
    }

    /// A strict subset: a longer prefix of the same family whose network lies inside this one.
    func contains(_ other: CIDRBlock) -> Bool {
        guard other.address.count == address.count, other.bits > bits else { return false }
        for bit in 0..<bits {
            let byte = bit / 8, mask = UInt8(0x80 >> (bit % 8))
            if address[byte] & mask != other.address[byte] & mask { return false }
        }
        return true
    }
}
