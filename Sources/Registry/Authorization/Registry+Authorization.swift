import APIMachinery
import Synchronization

/// The authorizer in force, set once at start-up (`--authorization-mode`); AlwaysAllow until then.
final class AuthorizerSlot: Sendable {
    private let chain = Mutex(AuthorizerChain.alwaysAllow)
    func set(_ value: AuthorizerChain) { chain.withLock { $0 = value } }
    func get() -> AuthorizerChain { chain.withLock { $0 } }
}

extension Registry {
    /// Puts `--authorization-mode` in force for requests, the access reviews and the RBAC
    /// escalation checks.
    public func configureAuthorization(modes: [AuthorizationMode]) {
        authorizerSlot.set(AuthorizerChain(modes: modes, rbac: rbacAuthorizer))
    }

    /// The authorizer in force (the access reviews answer from it).
    public var authorizer: AuthorizerChain { authorizerSlot.get() }

    /// RBAC over this registry's Roles and bindings, whatever the mode: the escalation checks
    /// compare against it, as upstream's RBAC storage does.
    public var rbacAuthorizer: RBACAuthorizer { RBACAuthorizer(policy: rbacPolicy) }
}
