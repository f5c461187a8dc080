import APIMachinery

/// `--authorization-mode=AlwaysAllow` (authorizerfactory.NewAlwaysAllowAuthorizer): every request
/// is allowed, and every user holds `*` on everything.
public struct AlwaysAllowAuthorizer: Authorizer, RuleResolver {
    public init() {}
    public func authorize(_ attributes: AuthorizationAttributes) -> Authorization { Authorization(.allow) }
    public func rules(for user: UserInfo, namespace: String) -> UserRules {
        var rules = UserRules()
        rules.resourceRules = [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])]
        rules.nonResourceRules = [PolicyRule(verbs: ["*"], nonResourceURLs: ["*"])]
        return rules
    }
}

/// `--authorization-mode=AlwaysDeny`: no opinion on anything, with upstream's reason.
public struct AlwaysDenyAuthorizer: Authorizer, RuleResolver {
    public init() {}
    public func authorize(_ attributes: AuthorizationAttributes) -> Authorization {
        Authorization(.noOpinion, reason: "Everything is forbidden.")
    }
    public func rules(for user: UserInfo, namespace: String) -> UserRules { UserRules() }
}

/// Members of `system:masters` may do anything, whatever the modes (kube-apiserver puts this
/// authorizer first: the loopback client and cluster admins must never lock themselves out).
public struct PrivilegedGroupAuthorizer: Authorizer {
    public static let systemMasters = "system:masters"
    public init() {}
    public func authorize(_ attributes: AuthorizationAttributes) -> Authorization {
        attributes.user.groups.contains(Self.systemMasters) ? Authorization(.allow) : Authorization(.noOpinion)
    }
}
