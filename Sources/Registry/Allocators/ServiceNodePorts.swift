import APIMachinery

/// Which Services hold node ports, as upstream's service helpers decide it.
enum ServiceNodePorts {
    /// NodePort and LoadBalancer Services may hold node ports.
    static func needsNodePort(_ spec: JSON) -> Bool {
        ["NodePort", "LoadBalancer"].contains(spec.string("type"))
    }

    /// Whether ports without a nodePort get one: always for NodePort, for LoadBalancer unless
    /// `allocateLoadBalancerNodePorts` is false.
    static func shouldAllocate(_ spec: JSON) -> Bool {
        switch spec.string("type") {
        case "NodePort": return true
        case "LoadBalancer": return spec["allocateLoadBalancerNodePorts"]?.boolValue ?? true
        default: return false
        }
    }

    /// upstream NeedsHealthCheck: a LoadBalancer keeping client source IPs (`externalTrafficPolicy: Local`).
    static func needsHealthCheck(_ spec: JSON) -> Bool {
        spec.string("type") == "LoadBalancer" && spec.string("externalTrafficPolicy") == "Local"
    }

    /// Every non-zero `nodePort`, in port order, plus `healthCheckNodePort` when asked and needed.
    static func collect(_ spec: JSON, healthCheck: Bool = false) -> [Int] {
        var ports = spec.array("ports").compactMap { port -> Int? in
            guard let n = port["nodePort"]?.intValue, n != 0 else { return nil }
            return Int(n)
        }
        if healthCheck, needsHealthCheck(spec), let hc = spec["healthCheckNodePort"]?.intValue, hc > 0 { ports.append(Int(hc)) }
        return ports
    }
}
