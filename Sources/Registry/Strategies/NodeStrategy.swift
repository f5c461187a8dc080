import APIMachinery

/// Nodes (pkg/registry/core/node/strategy.go, SetDefaults_NodeStatus, ValidateNode / ...Update).
/// Unlike most kinds a node keeps the status it is created with: the kubelet registers with one.
public struct NodeStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.nodes }

    /// Allocatable defaults to capacity; Go's non-pointer status structs are always written.
    public func applyDefaults(_ object: inout JSON) {
        object.setDefault("spec", .object([:]))
        object.modifyPath("status") { status in
            if let capacity = status["capacity"] {
                status["capacity"] = ResourceListDefaults.canonical(capacity)
                status.setDefault("allocatable", status["capacity"] ?? [:])
            }
            status.modifyPath("daemonEndpoints", "kubeletEndpoint") { $0.setDefault("Port", 0) }
            status.modifyPath("nodeInfo") { info in
                for key in ["architecture", "bootID", "containerRuntimeVersion", "kernelVersion", "kubeProxyVersion",
                            "kubeletVersion", "machineID", "operatingSystem", "osImage", "systemUUID"] {
                    info.setDefault(key, "")
                }
            }
        }
    }

    public func prepareForCreate(_ object: inout JSON) {}

    public func validate(_ object: JSON) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        var errs: [FieldError] = []
        var seen = Set<String>()
        for (i, taint) in spec.array("taints").enumerated() {
            let p = FieldPath("spec.taints").index(i)
            errs += ObjectMetaValidation.validateLabelName(taint.string("key"), path: p.child("key"))
            let msgs = NameValidation.isValidLabelValue(taint.string("value"))
            if !msgs.isEmpty { errs.append(.invalid(p.child("value"), taint.string("value"), msgs.joined(separator: ";"))) }
            errs += FieldValidation.enumValue(taint["effect"], PodSpecValidation.taintEffects, p.child("effect"))
            let key = taint.string("effect") + "/" + taint.string("key")
            if seen.contains(key) {
                var dup = FieldError.duplicate(p, taint)
                dup.detail = "taints must be unique by key and effect pair"
                errs.append(dup)
                continue
            }
            seen.insert(key)
        }
        for (i, cidr) in spec.array("podCIDRs").enumerated() where !isCIDR(cidr.stringValue ?? "") {
            errs.append(.invalid(FieldPath("spec.podCIDRs").index(i), cidr, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
        }
        return errs
    }

    /// podCIDR(s) and providerID may be set once, never changed.
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        var errs = validate(object)
        let new = object["spec"] ?? [:]
        let before = old["spec"] ?? [:]
        if !before.array("podCIDRs").isEmpty, new.array("podCIDRs") != before.array("podCIDRs") {
            errs.append(.forbidden(FieldPath("spec.podCIDRs"), "node updates may not change podCIDR except from \"\" to valid"))
        }
        if !before.string("providerID").isEmpty, new.string("providerID") != before.string("providerID") {
            errs.append(.forbidden(FieldPath("spec.providerID"), "node updates may not change providerID except from \"\" to valid"))
        }
        return errs
    }

    func isCIDR(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]) else { return false }
        let ip = String(parts[0])
        if NameValidation.isValidIPv4(ip) { return (0...32).contains(bits) }
        return NameValidation.isValidIPv6(ip) && (0...128).contains(bits)
    }
}
