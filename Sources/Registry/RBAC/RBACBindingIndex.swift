import APIMachinery

/// Bindings of one scope (the ClusterRoleBindings, or one namespace's RoleBindings) indexed by the
/// users, service account usernames and groups they name, so a check looks at the bindings naming
/// the user or one of its groups, not at every binding (a cluster has dozens of bootstrap ones).
struct RBACBindingIndex: Sendable {
    private(set) var bindings: [RBACPolicy.Binding] = []
    /// Positions in `bindings`, by username (a ServiceAccount subject by its
    /// `system:serviceaccount:<namespace>:<name>`) and by group.
    private var byUser: [String: [Int]] = [:]
    private var byGroup: [String: [Int]] = [:]

    /// - Parameter namespace: the bindings' namespace ("" for ClusterRoleBindings), which a
    ///   ServiceAccount subject without one refers to.
    mutating func append(_ binding: RBACPolicy.Binding, namespace: String) {
        let position = bindings.count
        bindings.append(binding)
        for subject in binding.subjects {
            switch subject.kind {
            case "User": byUser[subject.name, default: []].append(position)
            case "Group": byGroup[subject.name, default: []].append(position)
            case "ServiceAccount":
                let saNamespace = subject.namespace.isEmpty ? namespace : subject.namespace
                guard !saNamespace.isEmpty else { continue }
                byUser["system:serviceaccount:\(saNamespace):\(subject.name)", default: []].append(position)
            default: continue
            }
        }
    }

    /// The bindings naming the user, in the order they were added, each once.
    func naming(_ user: UserInfo) -> [RBACPolicy.Binding] {
        var positions = byUser[user.username] ?? []
        for group in user.groups { if let found = byGroup[group] { positions += found } }
        guard positions.count > 1 else { return positions.map { bindings[$0] } }
        positions.sort()
        var result: [RBACPolicy.Binding] = []
        var last = -1
        for position in positions where position != last {
            result.append(bindings[position])
            last = position
        }
        return result
    }
}
