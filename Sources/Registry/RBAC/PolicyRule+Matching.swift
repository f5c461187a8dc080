import APIMachinery

/// Whether a rule grants a request (plugin/pkg/auth/authorizer/rbac's RuleAllows with rbacv1helpers'
/// matchers): `*` matches any verb, group, resource or path; `*/sub` matches that subresource of
/// any resource; a path rule ending in `*` matches what starts with the rest.
extension PolicyRule {
    public func allows(_ attributes: AuthorizationAttributes) -> Bool {
        guard Self.matches(verbs, attributes.verb) else { return false }
        guard attributes.isResourceRequest else { return matchesNonResourceURL(attributes.path) }
        return Self.matches(apiGroups, attributes.apiGroup)
            && matchesResource(attributes.resource, subresource: attributes.subresource)
            && (resourceNames.isEmpty || resourceNames.contains(attributes.name))
    }

    static func matches(_ values: [String], _ requested: String) -> Bool {
        values.contains { $0 == "*" || $0 == requested }
    }

    /// upstream's ResourceMatches: `resource`, `resource/subresource` or `*/subresource`.
    func matchesResource(_ resource: String, subresource: String) -> Bool {
        let combined = subresource.isEmpty ? resource : "\(resource)/\(subresource)"
        for ruleResource in resources {
            if ruleResource == "*" || ruleResource == combined { return true }
            if !subresource.isEmpty, ruleResource.hasPrefix("*/"), ruleResource.utf8.count == subresource.utf8.count + 2,
               ruleResource.hasSuffix(subresource) { return true }
        }
        return false
    }

    func matchesNonResourceURL(_ path: String) -> Bool {
        nonResourceURLs.contains { url in
            if url == "*" || url == path { return true }
            return url.hasSuffix("*") && path.hasPrefix(url.dropLast())
        }
    }

    /// rbacv1helpers.CompactString: the rule as escalation errors list what is missing,
    /// `{APIGroups:[""], Resources:["pods"], Verbs:["create"]}`.
    public var compactDescription: String {
        var parts: [String] = []
        if !apiGroups.isEmpty { parts.append("APIGroups:\(GoQuoted.list(apiGroups))") }
        if !resources.isEmpty { parts.append("Resources:\(GoQuoted.list(resources))") }
        if !nonResourceURLs.isEmpty { parts.append("NonResourceURLs:\(GoQuoted.list(nonResourceURLs))") }
        if !resourceNames.isEmpty { parts.append("ResourceNames:\(GoQuoted.list(resourceNames))") }
        if !verbs.isEmpty { parts.append("Verbs:\(GoQuoted.list(verbs))") }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}

/// Go's `%q` of strings and string slices, as upstream's messages print them.
public enum GoQuoted {
    public static func string(_ s: String) -> String { FieldError.quote(s) }
    /// `%q` of a []string: `["a" "b"]`.
    public static func list(_ values: [String]) -> String { "[" + values.map(FieldError.quote).joined(separator: " ") + "]" }
}
