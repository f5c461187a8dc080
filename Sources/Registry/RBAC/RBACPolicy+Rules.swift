import APIMachinery

/// Where a rule comes from, as upstream's describers print it in an allow reason:
/// `ClusterRoleBinding "x" of ClusterRole "view" to User "alice"`.
struct RuleSource: Sendable, CustomStringConvertible {
    let binding: RBACPolicy.Binding
    let subject: Subject
    let clusterWide: Bool

    var description: String {
        let kind = clusterWide ? "ClusterRoleBinding" : "RoleBinding"
        let name = clusterWide ? binding.name : "\(binding.name)/\(binding.namespace)"
        return "\(kind) \(GoQuoted.string(name)) of \(binding.roleRef.kind) \(GoQuoted.string(binding.roleRef.name)) to \(Self.describe(subject, bindingNamespace: binding.namespace))"
    }

    static func describe(_ subject: Subject, bindingNamespace: String) -> String {
        guard subject.kind == "ServiceAccount" else { return "\(subject.kind) \(GoQuoted.string(subject.name))" }
        let namespace = subject.namespace.isEmpty ? bindingNamespace : subject.namespace
        return "\(subject.kind) \(GoQuoted.string("\(subject.name)/\(namespace)"))"
    }
}

extension RBACPolicy {
    /// DefaultRuleResolver.VisitRulesFor: the rules of every ClusterRoleBinding, then (in a
    /// namespace) every RoleBinding there, that names the user; `visit` returns false to stop.
    func visitRules(for user: UserInfo, namespace: String,
                    _ visit: (RuleSource?, PolicyRule?, RBACResolutionError?) -> Bool) {
        for binding in clusterRoleBindings.naming(user) {
            guard let subject = Self.subject(of: binding, naming: user, namespace: "") else { continue }
            switch rules(of: binding.roleRef, namespace: "") {
            case .failure(let error):
                if !visit(nil, nil, error) { return }
            case .success(let rules):
                let source = RuleSource(binding: binding, subject: subject, clusterWide: true)
                for rule in rules where !visit(source, rule, nil) { return }
            }
        }
        guard !namespace.isEmpty else { return }
        // The index found the candidates; `subject(of:)` picks the subject the reason names.
        for binding in roleBindings[namespace]?.naming(user) ?? [] {
            guard let subject = Self.subject(of: binding, naming: user, namespace: namespace) else { continue }
            switch rules(of: binding.roleRef, namespace: namespace) {
            case .failure(let error):
                if !visit(nil, nil, error) { return }
            case .success(let rules):
                let source = RuleSource(binding: binding, subject: subject, clusterWide: false)
                for rule in rules where !visit(source, rule, nil) { return }
            }
        }
    }

    /// The rules a user holds in a namespace (RulesFor), with the resolution errors met.
    func rules(for user: UserInfo, namespace: String) -> (rules: [PolicyRule], errors: [RBACResolutionError]) {
        var rules: [PolicyRule] = [], errors: [RBACResolutionError] = []
        visitRules(for: user, namespace: namespace) { _, rule, error in
            if let rule { rules.append(rule) }
            if let error { errors.append(error) }
            return true
        }
        return (rules, errors)
    }

    /// appliesTo: the binding's first subject naming the user. A ServiceAccount subject without a
    /// namespace means the binding's own; its user is `system:serviceaccount:<namespace>:<name>`.
    static func subject(of binding: Binding, naming user: UserInfo, namespace: String) -> Subject? {
        binding.subjects.first { subject in
            switch subject.kind {
            case "User": return subject.name == user.username
            case "Group": return user.groups.contains(subject.name)
            case "ServiceAccount":
                let saNamespace = subject.namespace.isEmpty ? namespace : subject.namespace
                guard !saNamespace.isEmpty else { return false }
                return user.username == "system:serviceaccount:\(saNamespace):\(subject.name)"
            default: return false
            }
        }
    }
}
