import APIMachinery

/// Escalation prevention on the RBAC resources (pkg/registry/rbac/{role,clusterrole,rolebinding,
/// clusterrolebinding}/policybased): a Role or ClusterRole may only grant what its writer holds
/// (or the writer has `escalate` on it); a binding may only grant a role whose rules its writer
/// holds (or the writer has `bind` on that role). `system:masters` and the server's own writes
/// pass; so does an update that only touches what the garbage collector changes.
final class RBACWriteAuthorization: @unchecked Sendable {
    static let group = "rbac.authorization.k8s.io"
    /// rbac.PolicyRule{*,*,*} and {*, nonResourceURLs *}: what an aggregationRule needs.
    static let fullAuthority = [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
                                PolicyRule(verbs: ["*"], nonResourceURLs: ["*"])]

    let resource: GroupResource
    /// Weak: the registry holds the stores that hold this; set once.
    private weak var registry: Registry?

    init?(resource: GroupResource, registry: Registry) {
        guard resource.group == Self.group,
              ["roles", "clusterroles", "rolebindings", "clusterrolebindings"].contains(resource.resource) else { return nil }
        self.resource = resource
        self.registry = registry
    }

    func check(_ object: JSON, old: JSON?, options: WriteOptions) throws(APIError) {
        guard let user = options.requester, !user.groups.contains(PrivilegedGroupAuthorizer.systemMasters),
              let registry else { return }
        if let old, Self.onlyGarbageCollectorFields(object, old) { return }
        let meta = object.meta
        let namespace = meta.namespace
        switch resource.resource {
        case "roles", "clusterroles":
            let escalate = AuthorizationAttributes(user: user, verb: "escalate", namespace: namespace, apiGroup: Self.group,
                                                   apiVersion: "*", resource: resource.resource, name: meta.name)
            if registry.authorizer.authorize(escalate).allowed { return }
            let role = RoleView(object)
            try confirmNoEscalation(user, namespace: namespace, rules: role.rules, name: meta.name, registry: registry)
            if resource.resource == "clusterroles", role.hasAggregationRule {
                let (owned, _) = registry.rbacAuthorizer.policyRules(for: user, namespace: namespace)
                if !RBACEscalation.uncovered(owned: owned, requested: Self.fullAuthority).isEmpty {
                    throw APIError.forbidden(resource, meta.name, "must have cluster-admin privileges to use the aggregationRule")
                }
            }
        default:
            let roleRef = RoleBindingView(object).roleRef
            if Self.bindingAuthorized(roleRef, namespace: namespace, user: user, authorizer: registry.authorizer) { return }
            let rules: [PolicyRule]
            switch registry.rbacPolicy.current().rules(of: roleRef, namespace: namespace) {
            case .success(let found): rules = found
            case .failure(let error): throw APIError.forbidden(resource, meta.name, error.message)
            }
            try confirmNoEscalation(user, namespace: namespace, rules: rules, name: meta.name, registry: registry)
        }
    }

    func confirmNoEscalation(_ user: UserInfo, namespace: String, rules: [PolicyRule], name: String,
                             registry: Registry) throws(APIError) {
        let (owned, errors) = registry.rbacAuthorizer.policyRules(for: user, namespace: namespace)
        let missing = RBACEscalation.uncovered(owned: owned, requested: rules)
        guard missing.isEmpty else {
            throw APIError.forbidden(resource, name, RBACEscalation.message(user: user, missing: missing, resolutionErrors: errors))
        }
    }

    /// BindingAuthorized: `bind` on the referenced role, in the binding's namespace ("" for a
    /// ClusterRoleBinding), so a user may be allowed to bind some roles in some namespaces.
    static func bindingAuthorized(_ roleRef: RoleRef, namespace: String, user: UserInfo, authorizer: any Authorizer) -> Bool {
        let resource: String
        switch roleRef.kind {
        case "ClusterRole": resource = "clusterroles"
        case "Role": resource = "roles"
        default: return false
        }
        let bind = AuthorizationAttributes(user: user, verb: "bind", namespace: namespace, apiGroup: roleRef.apiGroup,
                                           resource: resource, name: roleRef.name)
        return authorizer.authorize(bind).allowed
    }

    /// IsOnlyMutatingGCFields: the update changes only ownerReferences and finalizers (the
    /// bookkeeping the server adds, resourceVersion and managedFields, aside).
    static func onlyGarbageCollectorFields(_ object: JSON, _ old: JSON) -> Bool {
        func stripped(_ value: JSON) -> JSON {
            var copy = value
            for field in ["ownerReferences", "finalizers", "resourceVersion", "managedFields"] { copy[path: "metadata", field] = nil }
            return copy
        }
        return stripped(object) == stripped(old)
    }
}

extension Registry {
    /// Installs the escalation checks on the RBAC stores.
    func installRBACWriteAuthorization() {
        for plural in ["roles", "clusterroles", "rolebindings", "clusterrolebindings"] {
            let resource = GroupResource(group: RBACWriteAuthorization.group, resource: plural)
            guard let store = store(resource), let check = RBACWriteAuthorization(resource: resource, registry: self) else { continue }
            store.writeAuthorization = { (object, old, options) throws(APIError) in try check.check(object, old: old, options: options) }
        }
    }
}
