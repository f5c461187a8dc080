import APIMachinery

/// Upstream ValidateService (the rules a Service without load-balancer extras meets) and the
/// cluster-IP immutability of ValidateServiceUpdate.
enum ServiceValidation {
    static let serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
    static let sessionAffinities = ["ClientIP", "None"]
    static let ipFamilies = ["IPv4", "IPv6"]
    static let ipFamilyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"]
    static let trafficPolicies = ["Cluster", "Local"]

    static func isHeadless(_ spec: JSON) -> Bool { spec.string("clusterIP") == "None" }

    static func validate(_ spec: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        let specPath = FieldPath("spec")
        let type = spec.string("type")
        let ports = spec.array("ports")
        if ports.isEmpty && !isHeadless(spec) && type != "ExternalName" {
            errs.append(.required(specPath.child("ports"), ""))
        }
        if type == "ExternalName" {
            if !spec.array("clusterIPs").isEmpty {
                errs.append(.forbidden(specPath.child("clusterIPs"), "may not be set for ExternalName services"))
            }
            if !spec.array("ipFamilies").isEmpty {
                errs.append(.forbidden(specPath.child("ipFamilies"), "may not be set for ExternalName services"))
            }
            if spec["ipFamilyPolicy"] != nil && spec["ipFamilyPolicy"] != .null {
                errs.append(.forbidden(specPath.child("ipFamilyPolicy"), "may not be set for ExternalName services"))
            }
            var cname = spec.string("externalName")
            if cname.hasSuffix(".") { cname.removeLast() }
            if cname.isEmpty {
                errs.append(.required(specPath.child("externalName"), ""))
            } else {
                errs += FieldValidation.dns1123Subdomain(cname, specPath.child("externalName"))
            }
        }
        var names = Set<String>()
        for (i, port) in ports.enumerated() {
            errs += validatePort(port, requireName: ports.count > 1, names: &names, specPath.child("ports").index(i))
        }
        if let selector = spec["selector"], selector != .null {
            errs += ObjectMetaValidation.validateLabels(selector, path: specPath.child("selector"))
        }
        errs += FieldValidation.enumValue(spec["sessionAffinity"], sessionAffinities, specPath.child("sessionAffinity"))
        if spec.string("sessionAffinity") == "ClientIP",
           let timeout = spec[path: "sessionAffinityConfig", "clientIP", "timeoutSeconds"]?.intValue, !(1...86400).contains(timeout) {
            errs.append(.invalid(specPath.child("sessionAffinityConfig").child("clientIP").child("timeoutSeconds"),
                                 .int(timeout), NameValidation.inclusiveRangeError(1, 86400)))
        }
        errs += FieldValidation.enumValue(spec["type"], serviceTypes, specPath.child("type"))
        if type == "ClusterIP" {
            for (i, port) in ports.enumerated() where (port["nodePort"]?.intValue ?? 0) != 0 {
                errs.append(.forbidden(specPath.child("ports").index(i).child("nodePort"), "may not be used when `type` is 'ClusterIP'"))
            }
        }
        // Node ports are unique per protocol (TCP and UDP ports may share one).
        var nodePorts = Set<String>()
        for (i, port) in ports.enumerated() {
            guard let nodePort = port["nodePort"]?.intValue, nodePort != 0 else { continue }
            if !nodePorts.insert("\(port.string("protocol"))/\(nodePort)").inserted {
                errs.append(.duplicate(specPath.child("ports").index(i).child("nodePort"), .int(nodePort)))
            }
        }
        var seen = Set<String>()
        for (i, port) in ports.enumerated() {
            let key = "\(port.string("protocol"))/\(port["port"]?.intValue ?? 0)"
            if seen.contains(key) {
                errs.append(FieldError(.duplicate, specPath.child("ports").index(i), value: goServicePortKey(port)))
            }
            seen.insert(key)
        }
        if let policy = spec["internalTrafficPolicy"], policy != .null {
            errs += FieldValidation.enumValue(policy, trafficPolicies, specPath.child("internalTrafficPolicy"))
        }
        if let policy = spec["externalTrafficPolicy"], policy != .null, policy.stringValue != "" {
            errs += FieldValidation.enumValue(policy, trafficPolicies, specPath.child("externalTrafficPolicy"))
        }
        errs += validateClusterIPs(spec)
        return errs
    }

    /// Upstream validateServicePort.
    static func validatePort(_ port: JSON, requireName: Bool, names: inout Set<String>, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        let name = port.string("name")
        if requireName && name.isEmpty {
            errs.append(.required(path.child("name"), ""))
        } else if !name.isEmpty {
            errs += FieldValidation.dns1123Label(name, path.child("name"))
            if names.contains(name) { errs.append(.duplicate(path.child("name"), .string(name))) } else { names.insert(name) }
        }
        errs += NameValidation.isValidPortNum(port["port"]?.intValue ?? 0).map { .invalid(path.child("port"), port["port"] ?? 0, $0) }
        errs += FieldValidation.enumValue(port["protocol"], ContainerValidation.supportedPortProtocols, path.child("protocol"))
        errs += FieldValidation.portNumOrName(port["targetPort"], path.child("targetPort"))
        return errs
    }

    static func validateClusterIPs(_ spec: JSON) -> [FieldError] {
        guard spec.string("type") != "ExternalName" else { return [] }
        var errs: [FieldError] = []
        let path = FieldPath("spec.clusterIPs")
        let clusterIP = spec.string("clusterIP")
        let ips = spec.array("clusterIPs").map { $0.stringValue ?? "" }
        if !clusterIP.isEmpty {
            if ips.isEmpty {
                errs.append(.required(path, ""))
            } else if ips[0] != clusterIP {
                errs.append(FieldError(.invalid, path, value: goStringSlice(ips), "first value must match `clusterIP`"))
            }
        } else if !ips.isEmpty {
            errs.append(FieldError(.invalid, path, value: goStringSlice(ips), "must be empty when `clusterIP` is not specified"))
        }
        var seenFamilies = Set<String>()
        for (i, family) in spec.array("ipFamilies").enumerated() {
            let f = family.stringValue ?? ""
            if !ipFamilies.contains(f) { errs.append(.notSupported(FieldPath("spec.ipFamilies").index(i), family, ipFamilies)) }
            if seenFamilies.contains(f) { errs.append(.duplicate(FieldPath("spec.ipFamilies").index(i), family)) }
            seenFamilies.insert(f)
        }
        if let policy = spec["ipFamilyPolicy"], policy != .null, !ipFamilyPolicies.contains(policy.stringValue ?? "") {
            errs.append(.notSupported(FieldPath("spec.ipFamilyPolicy"), policy, ipFamilyPolicies))
        }
        for (i, ip) in ips.enumerated() {
            if i == 0 && ip == "None" {
                if ips.count > 1 {
                    errs.append(FieldError(.invalid, path, value: goStringSlice(ips), "'None' must be the first and only value"))
                }
                continue
            }
            errs += NameValidation.isValidIP(ip).map { .invalid(path.index(i), ip, $0) }
        }
        if ips.count > 2 {
            errs.append(FieldError(.invalid, path, value: goStringSlice(ips), "may only hold up to 2 values"))
        }
        return errs
    }

    /// validateUpgradeDowngradeClusterIPs: the primary cluster IP never changes once set.
    static func validateClusterIPsUpdate(_ spec: JSON, old: JSON) -> [FieldError] {
        if spec.string("type") == "ExternalName" || old.string("type") == "ExternalName" { return [] }
        if isHeadless(spec) && isHeadless(old) { return [] }
        let new = spec.array("clusterIPs").map { $0.stringValue ?? "" }
        let before = old.array("clusterIPs").map { $0.stringValue ?? "" }
        let path = FieldPath("spec.clusterIPs")
        var errs: [FieldError] = []
        if new.count == before.count {
            for (i, ip) in before.enumerated() where ip != new[i] {
                errs.append(FieldError(.invalid, path.index(i), value: goStringSlice(new), "may not change once set"))
            }
        } else if before.count > new.count {
            if new.isEmpty {
                errs.append(FieldError(.invalid, path.index(0), value: goStringSlice(new), "primary clusterIP can not be unset"))
            } else if new[0] != before[0] {
                errs.append(FieldError(.invalid, path.index(0), value: goStringSlice(new), "may not change once set"))
            }
        } else if !before.isEmpty, new[0] != before[0] {
            errs.append(FieldError(.invalid, path.index(0), value: goStringSlice(new), "may not change once set"))
        }
        return errs
    }

    /// Go's %#v of a []string, as upstream prints such bad values.
    static func goStringSlice(_ values: [String]) -> String {
        values.isEmpty ? "[]string(nil)" : "[]string{" + values.map(FieldError.quote).joined(separator: ", ") + "}"
    }

    /// Go's %#v of the core.ServicePort key upstream reports for duplicate ports.
    static func goServicePortKey(_ port: JSON) -> String {
        "core.ServicePort{Name:\"\", Protocol:\(FieldError.quote(port.string("protocol"))), AppProtocol:(*string)(nil), "
            + "Port:\(port["port"]?.intValue ?? 0), TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"
    }
}
