import APIMachinery

/// pkg/apis/rbac/validation and the v1 defaults shared by the four RBAC kinds.
enum RBACValidation {
    static let group = "rbac.authorization.k8s.io"

    /// ValidatePolicyRule: verbs always; non-resource URLs only cluster-wide and never beside
    /// resources; resource rules name groups and resources.
    static func rules(_ object: JSON, namespaced: Bool) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, rule) in object.array("rules").enumerated() {
            let path = FieldPath("rules").index(i)
            if rule.array("verbs").isEmpty { errs.append(.required(path.child("verbs"), "verbs must contain at least one value")) }
            let urls = rule.array("nonResourceURLs")
            if !urls.isEmpty {
                let value = goStrings(urls)
                if namespaced {
                    errs.append(FieldError(.invalid, path.child("nonResourceURLs"), value: value, "namespaced rules cannot apply to non-resource URLs"))
                }
                if !rule.array("apiGroups").isEmpty || !rule.array("resources").isEmpty || !rule.array("resourceNames").isEmpty {
                    errs.append(FieldError(.invalid, path.child("nonResourceURLs"), value: value,
                                           "rules cannot apply to both regular resources and non-resource URLs"))
                }
                continue
            }
            if rule.array("apiGroups").isEmpty {
                errs.append(.required(path.child("apiGroups"), "resource rules must supply at least one api group"))
            }
            if rule.array("resources").isEmpty {
                errs.append(.required(path.child("resources"), "resource rules must supply at least one resource"))
            }
        }
        return errs
    }

    /// Go's %v of a []string: `[a b]`.
    static func goStrings(_ values: [JSON]) -> String {
        "[" + values.map { $0.stringValue ?? "" }.joined(separator: " ") + "]"
    }

    /// SetDefaults_RoleBinding / _ClusterRoleBinding / _Subject: roleRef and User/Group subjects
    /// default to the RBAC group.
    static func defaultBinding(_ object: inout JSON) {
        object.modifyPath("roleRef") { $0.setDefaultString("apiGroup", group) }
        object.modifyEach("subjects") { subject in
            let kind = subject.string("kind")
            if subject["apiGroup"]?.stringValue?.isEmpty ?? true, kind == "User" || kind == "Group" {
                subject["apiGroup"] = .string(group)
            }
        }
    }

    /// ValidateRoleBinding / ValidateClusterRoleBinding.
    static func binding(_ object: JSON, namespaced: Bool) -> [FieldError] {
        var errs: [FieldError] = []
        let ref = object["roleRef"] ?? [:]
        let apiGroup = ref.string("apiGroup")
        if apiGroup != group { errs.append(.notSupported(FieldPath("roleRef.apiGroup"), .string(apiGroup), [group])) }
        let kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"]
        let kind = ref.string("kind")
        if !kinds.contains(kind) { errs.append(.notSupported(FieldPath("roleRef.kind"), .string(kind), kinds)) }
        let name = ref.string("name")
        if name.isEmpty {
            errs.append(.required(FieldPath("roleRef.name")))
        } else {
            errs += NameValidation.nameIsPathSegment(name, false).map { .invalid(FieldPath("roleRef.name"), name, $0) }
        }
        for (i, subject) in object.array("subjects").enumerated() {
            errs += self.subject(subject, namespaced: namespaced, FieldPath("subjects").index(i))
        }
        return errs
    }

    /// ValidateRoleBindingSubject.
    static func subject(_ subject: JSON, namespaced: Bool, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        let name = subject.string("name"), apiGroup = subject.string("apiGroup")
        if name.isEmpty { errs.append(.required(path.child("name"))) }
        switch subject.string("kind") {
        case "ServiceAccount":
            if !name.isEmpty { errs += NameValidation.nameIsDNSSubdomain(name, false).map { .invalid(path.child("name"), name, $0) } }
            if !apiGroup.isEmpty { errs.append(.notSupported(path.child("apiGroup"), .string(apiGroup), [""])) }
            if !namespaced && subject.string("namespace").isEmpty { errs.append(.required(path.child("namespace"))) }
        case "User", "Group":
            if apiGroup != group { errs.append(.notSupported(path.child("apiGroup"), .string(apiGroup), [group])) }
        case let kind:
            errs.append(.notSupported(path.child("kind"), .string(kind), ["ServiceAccount", "User", "Group"]))
        }
        return errs
    }

    /// ValidateRoleBindingUpdate: a binding's role is fixed; to bind another role, make another binding.
    static func roleRefUnchanged(_ object: JSON, old: JSON) -> [FieldError] {
        let ref = object["roleRef"] ?? [:], oldRef = old["roleRef"] ?? [:]
        guard ref.string("apiGroup") != oldRef.string("apiGroup") || ref.string("kind") != oldRef.string("kind")
              || ref.string("name") != oldRef.string("name") else { return [] }
        let rendered = "rbac.RoleRef{APIGroup:\(FieldError.quote(ref.string("apiGroup"))), Kind:\(FieldError.quote(ref.string("kind"))), "
            + "Name:\(FieldError.quote(ref.string("name")))}"
        return [FieldError(.invalid, FieldPath("roleRef"), value: rendered, "cannot change roleRef")]
    }
}

/// Roles (pkg/registry/rbac/role/strategy.go): names are path segments, rules as ValidatePolicyRule.
public struct RoleStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.roles }
    public var nameValidator: NameValidator { NameValidation.nameIsPathSegment }
    public func validate(_ object: JSON) -> [FieldError] { RBACValidation.rules(object, namespaced: true) }
}

/// ClusterRoles: rules may name non-resource URLs; an aggregationRule needs a selector (the
/// clusterrole-aggregation controller fills its rules).
public struct ClusterRoleStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.clusterRoles }
    public var nameValidator: NameValidator { NameValidation.nameIsPathSegment }
    public func validate(_ object: JSON) -> [FieldError] {
        var errs = RBACValidation.rules(object, namespaced: false)
        if let aggregation = object["aggregationRule"], !aggregation.isNull, aggregation.array("clusterRoleSelectors").isEmpty {
            errs.append(.required(FieldPath("aggregationRule.clusterRoleSelectors"),
                                  "at least one clusterRoleSelector required if aggregationRule is non-nil"))
        }
        return errs
    }
}

public struct RoleBindingStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.roleBindings }
    public var nameValidator: NameValidator { NameValidation.nameIsPathSegment }
    public func applyDefaults(_ object: inout JSON) { RBACValidation.defaultBinding(&object) }
    public func validate(_ object: JSON) -> [FieldError] { RBACValidation.binding(object, namespaced: true) }
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        validate(object) + RBACValidation.roleRefUnchanged(object, old: old)
    }
}

public struct ClusterRoleBindingStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.clusterRoleBindings }
    public var nameValidator: NameValidator { NameValidation.nameIsPathSegment }
    public func applyDefaults(_ object: inout JSON) { RBACValidation.defaultBinding(&object) }
    public func validate(_ object: JSON) -> [FieldError] { RBACValidation.binding(object, namespaced: false) }
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        validate(object) + RBACValidation.roleRefUnchanged(object, old: old)
    }
}
