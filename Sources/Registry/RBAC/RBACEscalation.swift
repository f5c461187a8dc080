import APIMachinery

/// Whether one set of rules covers another (k8s.io/component-helpers/auth/rbac/validation.Covers)
/// and the message upstream's escalation check (pkg/registry/rbac/validation.ConfirmNoEscalation)
/// gives when it does not.
public enum RBACEscalation {
    /// The requested rules broken down to one verb, group, resource and name each, and those of
    /// them no owned rule covers.
    public static func uncovered(owned: [PolicyRule], requested: [PolicyRule]) -> [PolicyRule] {
        var missing: [PolicyRule] = []
        for rule in requested {
            for sub in breakdown(rule) where !owned.contains(where: { covers($0, sub) }) { missing.append(sub) }
        }
        return missing
    }

    /// BreakdownRule: one rule per group × resource × verb (× name), and per URL × verb.
    static func breakdown(_ rule: PolicyRule) -> [PolicyRule] {
        var subrules: [PolicyRule] = []
        for group in rule.apiGroups {
            for resource in rule.resources {
                for verb in rule.verbs {
                    if rule.resourceNames.isEmpty {
                        subrules.append(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource]))
                    } else {
                        for name in rule.resourceNames {
                            subrules.append(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name]))
                        }
                    }
                }
            }
        }
        for url in rule.nonResourceURLs {
            for verb in rule.verbs { subrules.append(PolicyRule(verbs: [verb], nonResourceURLs: [url])) }
        }
        return subrules
    }

    /// ruleCovers: the owner's rule grants all of the (broken down) sub-rule.
    static func covers(_ owner: PolicyRule, _ sub: PolicyRule) -> Bool {
        let verbs = owner.verbs.contains("*") || sub.verbs.allSatisfy(owner.verbs.contains)
        let groups = owner.apiGroups.contains("*") || sub.apiGroups.allSatisfy(owner.apiGroups.contains)
        let names = sub.resourceNames.isEmpty
            ? owner.resourceNames.isEmpty
            : owner.resourceNames.isEmpty || sub.resourceNames.allSatisfy(owner.resourceNames.contains)
        return verbs && groups && names && resourcesCover(owner.resources, sub.resources)
            && sub.nonResourceURLs.allSatisfy { url in owner.nonResourceURLs.contains { urlCovers($0, url) } }
    }

    static func resourcesCover(_ owned: [String], _ requested: [String]) -> Bool {
        if owned.contains("*") { return true }
        return requested.allSatisfy { resource in
            if owned.contains(resource) { return true }
            guard let slash = resource.firstIndex(of: "/") else { return false }
            return owned.contains("*/" + resource[resource.index(after: slash)...])
        }
    }

    static func urlCovers(_ owner: String, _ path: String) -> Bool {
        owner == path || (owner.hasSuffix("*") && path.hasPrefix(owner.trimmingTrailingStars))
    }

    /// CompactRules: simple rules (one group, one resource, at most one name) for the same
    /// group/resource/name are merged, their verbs joined.
    static func compact(_ rules: [PolicyRule]) -> [PolicyRule] {
        var compacted: [PolicyRule] = []
        var simple: [PolicyRule] = []
        var index: [PolicyRule: Int] = [:]
        for rule in rules {
            guard rule.nonResourceURLs.isEmpty, rule.resourceNames.count <= 1, rule.apiGroups.count == 1, rule.resources.count == 1 else {
                compacted.append(rule)
                continue
            }
            let key = PolicyRule(verbs: [], apiGroups: rule.apiGroups, resources: rule.resources, resourceNames: rule.resourceNames)
            if let i = index[key] {
                simple[i].verbs += rule.verbs
            } else {
                index[key] = simple.count
                simple.append(rule)
            }
        }
        return compacted + simple
    }

    /// ConfirmNoEscalation's message for a user missing `missing`: the missing rules compacted,
    /// described, sorted and de-duplicated, one a line.
    public static func message(user: UserInfo, missing: [PolicyRule], resolutionErrors: [String]) -> String {
        let descriptions = Set(compact(missing).map(\.compactDescription)).sorted()
        var message = "user \(GoQuoted.string(user.username)) (groups=\(GoQuoted.list(user.groups))) is attempting to grant RBAC permissions not currently held:\n"
            + descriptions.joined(separator: "\n")
        if !resolutionErrors.isEmpty { message += "; resolution errors: [" + resolutionErrors.joined(separator: " ") + "]" }
        return message
    }
}

extension StringProtocol {
    var trimmingTrailingStars: String {
        var s = String(self)
        while s.hasSuffix("*") { s.removeLast() }
        return s
    }
}
