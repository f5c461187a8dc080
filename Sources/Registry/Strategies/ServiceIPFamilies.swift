import APIMachinery

/// upstream initIPFamilyFields on a single-stack IPv4 cluster: settles `ipFamilyPolicy` and
/// `ipFamilies` from what the client gave (and, on update, the stored object), and refuses
/// families and policies this cluster cannot serve.
enum ServiceIPFamilies {
    static let configured = ["IPv4"]
    static let defaultFamily = "IPv4"

    static func initialize(_ spec: inout JSON, old: JSON?) -> [FieldError] {
        guard spec.string("type") != "ExternalName" else { return [] }
        if let old, matchingPreferDualStack(old, spec) { return [] }
        let policyPath = FieldPath("spec.ipFamilyPolicy")
        if policy(spec) == nil {
            if let old, let oldPolicy = policy(old) {
                spec["ipFamilyPolicy"] = .string(oldPolicy)
            } else if isHeadlessWithoutSelector(spec) {
                spec["ipFamilyPolicy"] = "RequireDualStack"
            } else {
                spec["ipFamilyPolicy"] = "SingleStack"
            }
        }
        let policy = policy(spec) ?? "SingleStack"
        var errs: [FieldError] = []
        var clusterIPs = strings(spec, "clusterIPs")
        var families = strings(spec, "ipFamilies")
        if let old {
            if policy == "SingleStack" {
                if clusterIPs == strings(old, "clusterIPs") && clusterIPs.count > 1 { clusterIPs = [clusterIPs[0]] }
                if families == strings(old, "ipFamilies") && families.count > 1 { families = [families[0]] }
            } else {
                if !clusterIPs.isEmpty && clusterIPs.count < strings(old, "clusterIPs").count {
                    errs.append(.invalid(policyPath, .string(policy), "must be 'SingleStack' to release the secondary cluster IP"))
                }
                if !families.isEmpty && families.count < strings(old, "ipFamilies").count {
                    errs.append(.invalid(policyPath, .string(policy), "must be 'SingleStack' to release the secondary IP family"))
                }
            }
        }
        if policy == "SingleStack" {
            if clusterIPs.count == 2 {
                errs.append(.invalid(policyPath, .string(policy), "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"))
            }
            if families.count == 2 {
                errs.append(.invalid(policyPath, .string(policy), "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"))
            }
        }
        for (i, ip) in clusterIPs.enumerated() {
            if ip == "None" { break }
            let family = familyOf(ip)
            guard i >= families.count else { continue }
            if configured.contains(family) {
                families.append(family)
            } else {
                errs.append(FieldError(.invalid, FieldPath("spec.clusterIPs").index(i), value: ServiceValidation.goStringSlice(clusterIPs),
                                       "\(family) is not configured on this cluster"))
            }
        }
        defer {
            if !clusterIPs.isEmpty { spec["clusterIPs"] = .array(clusterIPs.map { .string($0) }) }
            if !families.isEmpty { spec["ipFamilies"] = .array(families.map { .string($0) }) }
        }
        if !errs.isEmpty { return errs }

        if isHeadlessWithoutSelector(spec) {
            // Headless Services without selectors may carry families the cluster does not have.
            if families.isEmpty { families = [defaultFamily] }
            if families.count < 2 && policy != "SingleStack" { families.append(families[0] == "IPv4" ? "IPv6" : "IPv4") }
            return []
        }
        if policy == "RequireDualStack" && configured.count < 2 {
            errs.append(.invalid(policyPath, .string(policy), "this cluster is not configured for dual-stack services"))
        }
        for (i, family) in families.enumerated() where !configured.contains(family) {
            errs.append(.invalid(FieldPath("spec.ipFamilies").index(i), .string(family), "not configured on this cluster"))
        }
        if !errs.isEmpty { return errs }
        if families.isEmpty { families = [defaultFamily] }
        return []
    }

    static func policy(_ spec: JSON) -> String? {
        guard let p = spec["ipFamilyPolicy"]?.stringValue, !p.isEmpty else { return nil }
        return p
    }

    static func strings(_ spec: JSON, _ key: String) -> [String] { spec.array(key).map { $0.stringValue ?? "" } }

    static func isHeadlessWithoutSelector(_ spec: JSON) -> Bool {
        spec.string("clusterIP") == "None" && (spec["selector"]?.objectValue ?? [:]).isEmpty
    }

    static func familyOf(_ ip: String) -> String {
        if NameValidation.isValidIPv4(ip) { return "IPv4" }
        if NameValidation.isValidIPv6(ip) { return "IPv6" }
        return "unknown"
    }

    /// isMatchingPreferDualStackClusterIPFields: a PreferDualStack Service whose addresses and
    /// families did not change is left as it is, whatever the cluster's families now are.
    static func matchingPreferDualStack(_ old: JSON, _ spec: JSON) -> Bool {
        guard let p = policy(spec), p == "PreferDualStack", policy(old) == nil || policy(old) == "PreferDualStack" else { return false }
        guard old.string("type") == spec.string("type"), ["ClusterIP", "NodePort", "LoadBalancer"].contains(spec.string("type")) else {
            return false
        }
        return strings(old, "clusterIPs") == strings(spec, "clusterIPs") && strings(old, "ipFamilies") == strings(spec, "ipFamilies")
    }
}
