import APIMachinery

/// The Roles, ClusterRoles and bindings at one moment, parsed once for the authorizer (upstream reads
/// them from informer listers; here the cache rebuilds this when one of them changes).
public struct RBACPolicy: Sendable {
    struct Binding: Sendable {
        let name: String
        let namespace: String
        let roleRef: RoleRef
        let subjects: [Subject]
    }

    var clusterRoles: [String: [PolicyRule]] = [:]
    /// Roles by namespace, then name.
    var roles: [String: [String: [PolicyRule]]] = [:]
    var clusterRoleBindings = RBACBindingIndex()
    /// RoleBindings by namespace.
    var roleBindings: [String: RBACBindingIndex] = [:]

    public init() {}

    public init(roles: [JSON], roleBindings: [JSON], clusterRoles: [JSON], clusterRoleBindings: [JSON]) {
        for object in clusterRoles {
            let role = RoleView(object)
            self.clusterRoles[role.name] = role.rules
        }
        for object in roles {
            let role = RoleView(object)
            self.roles[role.namespace, default: [:]][role.name] = role.rules
        }
        for object in clusterRoleBindings { self.clusterRoleBindings.append(Self.binding(object), namespace: "") }
        for object in roleBindings {
            let binding = Self.binding(object)
            self.roleBindings[binding.namespace, default: RBACBindingIndex()].append(binding, namespace: binding.namespace)
        }
    }

    static func binding(_ object: JSON) -> Binding {
        let view = RoleBindingView(object)
        return Binding(name: view.name, namespace: view.namespace, roleRef: view.roleRef, subjects: view.subjects)
    }

    /// GetRoleReferenceRules: the rules of the role a binding in `namespace` ("" for a
    /// ClusterRoleBinding) refers to, or the lister's not-found message.
    func rules(of roleRef: RoleRef, namespace: String) -> Result<[PolicyRule], RBACResolutionError> {
        switch roleRef.kind {
        case "Role":
            guard let rules = roles[namespace]?[roleRef.name] else {
                return .failure(RBACResolutionError(message: "role.rbac.authorization.k8s.io \(GoQuoted.string(roleRef.name)) not found"))
            }
            return .success(rules)
        case "ClusterRole":
            guard let rules = clusterRoles[roleRef.name] else {
                return .failure(RBACResolutionError(message: "clusterrole.rbac.authorization.k8s.io \(GoQuoted.string(roleRef.name)) not found"))
            }
            return .success(rules)
        default:
            return .failure(RBACResolutionError(message: "unsupported role reference kind: \(GoQuoted.string(roleRef.kind))"))
        }
    }
}

/// A binding whose role cannot be resolved; the rules found elsewhere still count.
public struct RBACResolutionError: Error, Sendable, Equatable {
    public let message: String
}
