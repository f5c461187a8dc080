import APIMachinery

/// What upstream's Service storage does to an update before validating it: patchAllocatedValues,
/// normalizeClusterIPs and the strategy's dropTypeDependentFields.
extension ServiceStrategy {
    static func needsClusterIP(_ spec: JSON) -> Bool { spec.string("type") != "ExternalName" }

    /// A client that leaves out allocated values (kubectl apply of a manifest without clusterIP or
    /// nodePort) keeps them.
    static func patchAllocatedValues(_ spec: inout JSON, old: JSON) {
        if needsClusterIP(old) && needsClusterIP(spec) {
            if spec.string("clusterIP").isEmpty, !old.string("clusterIP").isEmpty { spec["clusterIP"] = old["clusterIP"] }
            if spec.array("clusterIPs").isEmpty, !old.array("clusterIPs").isEmpty { spec["clusterIPs"] = old["clusterIPs"] }
        }
        if ServiceNodePorts.needsNodePort(old) && ServiceNodePorts.needsNodePort(spec) {
            let used = Set(ServiceNodePorts.collect(old)).intersection(ServiceNodePorts.collect(spec))
            var byName: [String: Int64] = [:]
            for port in old.array("ports") { byName[port.string("name")] = port["nodePort"]?.intValue ?? 0 }
            spec.modifyEach("ports") { port in
                guard (port["nodePort"]?.intValue ?? 0) == 0, let previous = byName[port.string("name")], previous != 0,
                      !used.contains(Int(previous)) else { return }
                port["nodePort"] = .int(previous)
            }
        }
        if ServiceNodePorts.needsHealthCheck(old) && ServiceNodePorts.needsHealthCheck(spec),
           (spec["healthCheckNodePort"]?.intValue ?? 0) == 0, let hc = old["healthCheckNodePort"] {
            spec["healthCheckNodePort"] = hc
        }
    }

    /// Keeps `clusterIP` and `clusterIPs` in step.
    static func normalizeClusterIPs(_ spec: inout JSON, old: JSON?) {
        let clusterIP = spec.string("clusterIP")
        if !clusterIP.isEmpty && spec.array("clusterIPs").isEmpty {
            spec["clusterIPs"] = [.string(clusterIP)]
            return
        }
        guard let old else { return }
        if clusterIP != old.string("clusterIP"), spec["clusterIPs"] == old["clusterIPs"] {
            var ips = spec.array("clusterIPs")
            if clusterIP.isEmpty {
                spec["clusterIPs"] = nil
            } else if ips.count <= 1 {
                spec["clusterIPs"] = [.string(clusterIP)]
            } else {
                ips[0] = .string(clusterIP)
                spec["clusterIPs"] = .array(ips)
            }
        }
    }

    /// Fields that no longer apply after a type change are wiped when the client left them as
    /// they were (a changed value is the client's and goes to validation).
    static func dropTypeDependentFields(_ spec: inout JSON, old: JSON) {
        if needsClusterIP(old) && !needsClusterIP(spec) {
            if spec["clusterIPs"] == old["clusterIPs"] {
                spec["clusterIP"] = nil
                spec["clusterIPs"] = nil
            }
            if spec["ipFamilies"] == old["ipFamilies"] { spec["ipFamilies"] = nil }
            if spec["ipFamilyPolicy"] == old["ipFamilyPolicy"] { spec["ipFamilyPolicy"] = nil }
        }
        if ServiceNodePorts.needsNodePort(old) && !ServiceNodePorts.needsNodePort(spec),
           Set(ServiceNodePorts.collect(old)).isSuperset(of: ServiceNodePorts.collect(spec)) {
            spec.modifyEach("ports") { $0["nodePort"] = nil }
        }
        if ServiceNodePorts.needsHealthCheck(old) && !ServiceNodePorts.needsHealthCheck(spec),
           spec["healthCheckNodePort"] == old["healthCheckNodePort"] {
            spec["healthCheckNodePort"] = nil
        }
        if old.string("type") == "LoadBalancer" && spec.string("type") != "LoadBalancer" {
            if spec["allocateLoadBalancerNodePorts"] != nil, spec["allocateLoadBalancerNodePorts"] == old["allocateLoadBalancerNodePorts"] {
                spec["allocateLoadBalancerNodePorts"] = nil
            }
            if spec["loadBalancerClass"] == old["loadBalancerClass"] { spec["loadBalancerClass"] = nil }
        }
        if externallyAccessible(old) && !externallyAccessible(spec), spec["externalTrafficPolicy"] == old["externalTrafficPolicy"] {
            spec["externalTrafficPolicy"] = nil
        }
    }

    static func externallyAccessible(_ spec: JSON) -> Bool {
        let type = spec.string("type")
        return type == "LoadBalancer" || type == "NodePort" || (type == "ClusterIP" && !spec.array("externalIPs").isEmpty)
    }
}
