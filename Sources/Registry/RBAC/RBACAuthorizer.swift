import APIMachinery

/// `--authorization-mode=RBAC` (plugin/pkg/auth/authorizer/rbac): allows what a rule bound to the
/// user grants, with the binding that granted it as the reason; otherwise no opinion, the reason
/// naming the bindings whose roles could not be found.
public struct RBACAuthorizer: Authorizer, RuleResolver {
    public let policy: RBACPolicyCache

    public init(policy: RBACPolicyCache) { self.policy = policy }

    public func authorize(_ attributes: AuthorizationAttributes) -> Authorization {
        var allowedBy: RuleSource?
        var errors: [String] = []
        policy.current().visitRules(for: attributes.user, namespace: attributes.namespace) { source, rule, error in
            if let rule, rule.allows(attributes) {
                allowedBy = source
                return false
            }
            if let error { errors.append(error.message) }
            return true
        }
        if let allowedBy { return Authorization(.allow, reason: "RBAC: allowed by \(allowedBy)") }
        let reason = AuthorizerChain.aggregate(errors).map { "RBAC: \($0)" } ?? ""
        return Authorization(.noOpinion, reason: reason)
    }

    /// RulesFor as upstream's RBAC authorizer lists them: a rule naming resources is a resource
    /// rule, one naming URLs a non-resource rule; never incomplete.
    public func rules(for user: UserInfo, namespace: String) -> UserRules {
        let (rules, errors) = policy.current().rules(for: user, namespace: namespace)
        var result = UserRules()
        for rule in rules {
            if !rule.resources.isEmpty {
                result.resourceRules.append(PolicyRule(verbs: rule.verbs, apiGroups: rule.apiGroups, resources: rule.resources,
                                                       resourceNames: rule.resourceNames))
            }
            if !rule.nonResourceURLs.isEmpty {
                result.nonResourceRules.append(PolicyRule(verbs: rule.verbs, nonResourceURLs: rule.nonResourceURLs))
            }
        }
        result.evaluationError = AuthorizerChain.aggregate(errors.map(\.message))
        return result
    }

    /// The user's rules straight from RBAC, for the escalation check.
    public func policyRules(for user: UserInfo, namespace: String) -> (rules: [PolicyRule], errors: [String]) {
        let (rules, errors) = policy.current().rules(for: user, namespace: namespace)
        return (rules, errors.map(\.message))
    }
}
