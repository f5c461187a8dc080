/// Typed access to rbac.authorization.k8s.io/v1 objects: a Role's or ClusterRole's rules, a
/// binding's roleRef and subjects, read as Go's decoder leaves absent members (empty).

/// One rule of a Role or ClusterRole (rbacv1.PolicyRule), as plain values: the authorizer keeps
/// these parsed in its cache rather than reading the JSON on every request.
public struct PolicyRule: Sendable, Hashable {
    public var verbs: [String]
    public var apiGroups: [String]
    public var resources: [String]
    public var resourceNames: [String]
    public var nonResourceURLs: [String]

    public init(verbs: [String], apiGroups: [String] = [], resources: [String] = [], resourceNames: [String] = [],
                nonResourceURLs: [String] = []) {
        self.verbs = verbs; self.apiGroups = apiGroups; self.resources = resources
        self.resourceNames = resourceNames; self.nonResourceURLs = nonResourceURLs
    }

    public init(_ rule: JSON) {
        let fields = ObjectFields(rule)
        self.init(verbs: fields.strings("verbs"), apiGroups: fields.strings("apiGroups"), resources: fields.strings("resources"),
                  resourceNames: fields.strings("resourceNames"), nonResourceURLs: fields.strings("nonResourceURLs"))
    }

    /// The rule as rbac/v1 JSON (empty lists omitted, as Go's omitempty).
    public var json: JSON {
        var object: JSONObject = ["verbs": .array(verbs.map { .string($0) })]
        if !apiGroups.isEmpty { object["apiGroups"] = .array(apiGroups.map { .string($0) }) }
        if !resources.isEmpty { object["resources"] = .array(resources.map { .string($0) }) }
        if !resourceNames.isEmpty { object["resourceNames"] = .array(resourceNames.map { .string($0) }) }
        if !nonResourceURLs.isEmpty { object["nonResourceURLs"] = .array(nonResourceURLs.map { .string($0) }) }
        return .object(object)
    }
}

/// A Role or ClusterRole.
public struct RoleView: Sendable {
    let fields: ObjectFields
    public init(_ object: JSON) { fields = ObjectFields(object) }
    public var name: String { fields.string("metadata", "name") ?? "" }
    public var namespace: String { fields.string("metadata", "namespace") ?? "" }
    public var rules: [PolicyRule] { (fields.value(["rules"])?.arrayValue ?? []).map(PolicyRule.init) }
    /// Whether the ClusterRole's rules are filled in by the aggregation controller.
    public var hasAggregationRule: Bool { fields.has("aggregationRule") }
}

/// A RoleBinding's or ClusterRoleBinding's reference to the role it grants.
public struct RoleRef: Sendable, Hashable {
    public var apiGroup: String
    public var kind: String
    public var name: String
    public init(apiGroup: String, kind: String, name: String) { self.apiGroup = apiGroup; self.kind = kind; self.name = name }
}

/// Who a binding grants its role to (rbacv1.Subject).
public struct Subject: Sendable, Hashable {
    public var kind: String
    public var name: String
    public var namespace: String
    public init(kind: String, name: String, namespace: String = "") { self.kind = kind; self.name = name; self.namespace = namespace }
}

/// A RoleBinding or ClusterRoleBinding.
public struct RoleBindingView: Sendable {
    let fields: ObjectFields
    public init(_ object: JSON) { fields = ObjectFields(object) }
    public var name: String { fields.string("metadata", "name") ?? "" }
    public var namespace: String { fields.string("metadata", "namespace") ?? "" }
    public var roleRef: RoleRef {
        let ref = fields.child("roleRef")
        return RoleRef(apiGroup: ref.string("apiGroup") ?? "", kind: ref.string("kind") ?? "", name: ref.string("name") ?? "")
    }
    public var subjects: [Subject] {
        fields.list("subjects").map { Subject(kind: $0.string("kind") ?? "", name: $0.string("name") ?? "", namespace: $0.string("namespace") ?? "") }
    }
}
