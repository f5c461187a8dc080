import APIMachinery

/// An authorizer's answer (authorizer.Decision): allow, deny outright, or leave it to the next one.
public enum AuthorizationDecision: Sendable, Equatable {
    case allow, deny, noOpinion
}

/// A decision with the reason shown in a 403 or a SubjectAccessReview, and the error met while
/// deciding (an RBAC binding to a role that does not exist), reported as `evaluationError`.
public struct Authorization: Sendable, Equatable {
    public var decision: AuthorizationDecision
    public var reason: String
    public var evaluationError: String?
    public init(_ decision: AuthorizationDecision, reason: String = "", evaluationError: String? = nil) {
        self.decision = decision; self.reason = reason; self.evaluationError = evaluationError
    }
    public var allowed: Bool { decision == .allow }
}

/// Decides whether a request may go on (authorizer.Authorizer). Called on every request: must be quick.
public protocol Authorizer: Sendable {
    func authorize(_ attributes: AuthorizationAttributes) -> Authorization
}

/// What a user may do in a namespace, as a SelfSubjectRulesReview lists it (authorizer.RuleResolver).
public struct UserRules: Sendable, Equatable {
    public var resourceRules: [PolicyRule] = []
    public var nonResourceRules: [PolicyRule] = []
    /// True when the list may leave out rules an authorizer cannot enumerate.
    public var incomplete = false
    public var evaluationError: String?
    public init() {}
}

/// Lists the rules a user holds (authorizer.RuleResolver).
public protocol RuleResolver: Sendable {
    func rules(for user: UserInfo, namespace: String) -> UserRules
}
