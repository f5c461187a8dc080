import APIMachinery

/// The authorizers of `--authorization-mode` in order, after the `system:masters` one, as
/// kube-apiserver builds them (union.New): the first allow or deny decides; otherwise no opinion,
/// with every authorizer's reason joined by newlines. The rule resolvers are joined the same way
/// for SelfSubjectRulesReview.
public struct AuthorizerChain: Authorizer, RuleResolver {
    public let modes: [AuthorizationMode]
    let authorizers: [any Authorizer]
    let resolvers: [any RuleResolver]

    /// Kubelite's default until issue 17's TLS work makes RBAC the default.
    public static let alwaysAllow = AuthorizerChain(modes: [.alwaysAllow], rbac: nil)

    /// - Parameter rbac: the RBAC authorizer; required when `modes` names RBAC.
    public init(modes: [AuthorizationMode], rbac: RBACAuthorizer?) {
        self.modes = modes
        var authorizers: [any Authorizer] = [PrivilegedGroupAuthorizer()]
        var resolvers: [any RuleResolver] = []
        for mode in modes {
            switch mode {
            case .alwaysAllow:
                authorizers.append(AlwaysAllowAuthorizer()); resolvers.append(AlwaysAllowAuthorizer())
            case .alwaysDeny:
                authorizers.append(AlwaysDenyAuthorizer()); resolvers.append(AlwaysDenyAuthorizer())
            case .rbac:
                guard let authorizer = rbac else { preconditionFailure("RBAC mode without an RBAC authorizer") }
                authorizers.append(authorizer); resolvers.append(authorizer)
            }
        }
        self.authorizers = authorizers
        self.resolvers = resolvers
    }

    /// Whether everything is allowed whoever asks: the API server then skips building attributes.
    public var allowsEverything: Bool { modes.first == .alwaysAllow }

    public func authorize(_ attributes: AuthorizationAttributes) -> Authorization {
        var reasons: [String] = [], errors: [String] = []
        for authorizer in authorizers {
            let answer = authorizer.authorize(attributes)
            if !answer.reason.isEmpty { reasons.append(answer.reason) }
            if let error = answer.evaluationError { errors.append(error) }
            if answer.decision != .noOpinion { return answer }
        }
        return Authorization(.noOpinion, reason: reasons.joined(separator: "\n"), evaluationError: Self.aggregate(errors))
    }

    public func rules(for user: UserInfo, namespace: String) -> UserRules {
        var all = UserRules(), errors: [String] = []
        for resolver in resolvers {
            let rules = resolver.rules(for: user, namespace: namespace)
            all.resourceRules += rules.resourceRules
            all.nonResourceRules += rules.nonResourceRules
            all.incomplete = all.incomplete || rules.incomplete
            if let error = rules.evaluationError { errors.append(error) }
        }
        all.evaluationError = Self.aggregate(errors)
        return all
    }

    /// utilerrors.NewAggregate's message: one error alone, several in brackets.
    static func aggregate(_ errors: [String]) -> String? {
        switch errors.count {
        case 0: return nil
        case 1: return errors[0]
        default: return "[" + errors.joined(separator: ", ") + "]"
        }
    }
}
