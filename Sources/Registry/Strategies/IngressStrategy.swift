import APIMachinery

/// networking.k8s.io/v1 Ingresses (pkg/registry/networking/ingress/strategy.go, ValidateIngressCreate
/// and ValidateIngressUpdate): no defaults in v1 (pathType is required), generation moves with the
/// spec, status only through `ingresses/status`. No ingress controller ships with a bare cluster
/// either, so nothing acts on them: the API is the whole of it.
public struct IngressStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.ingresses }
    public var tracksGeneration: Bool { true }

    static let classAnnotation = "kubernetes.io/ingress.class"
    static let defaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class"

    /// DefaultIngressClass admission: an Ingress created naming no class (neither
    /// `spec.ingressClassName` nor the old `kubernetes.io/ingress.class` annotation) gets the
    /// default IngressClass, the newest one when several are marked default (ties by name).
    public func admit(_ object: inout JSON, cluster: ClusterLookup) throws(APIError) {
        if object[path: "metadata", "annotations", Self.classAnnotation] != nil { return }
        if let name = object[path: "spec", "ingressClassName"], name != .null { return }
        let defaults = cluster.ingressClasses().map(\.object).filter {
            $0[path: "metadata", "annotations", Self.defaultClassAnnotation]?.stringValue == "true"
        }
        let newest = defaults.max { a, b in
            let ta = a.meta.creationTimestamp.flatMap(Timestamp.parse) ?? .distantPast
            let tb = b.meta.creationTimestamp.flatMap(Timestamp.parse) ?? .distantPast
            return ta == tb ? a.meta.name > b.meta.name : ta < tb
        }
        if let newest { object[path: "spec", "ingressClassName"] = .string(newest.meta.name) }
    }

    /// The zero IngressStatus: Go's encoder keeps the empty loadBalancer struct despite omitempty.
    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = ["loadBalancer": [:]]
    }

    public func validate(_ object: JSON) -> [FieldError] {
        IngressValidation.validateSpec(object["spec"] ?? [:], FieldPath("spec"))
    }

    /// The status subresource's update passes here too: its load balancer entries are checked.
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        validate(object) + WorkloadStatusValidation.ingress(object["status"])
    }
}

/// networking.k8s.io/v1 IngressClasses (pkg/registry/networking/ingressclass/strategy.go,
/// SetDefaults_IngressClass, ValidateIngressClass): parameters default to Cluster scope; the
/// controller is a domain-prefixed path and immutable.
public struct IngressClassStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.ingressClasses }
    public var tracksGeneration: Bool { true }
    static let maxControllerLength = 250
    static let scopes = ["Cluster", "Namespace"]

    public func applyDefaults(_ object: inout JSON) {
        guard let parameters = object[path: "spec", "parameters"], parameters != .null else { return }
        object.modifyPath("spec") { spec in spec.modifyPath("parameters") { $0.setDefault("scope", "Cluster") } }
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        let path = FieldPath("spec")
        var errs: [FieldError] = []
        let controller = spec["controller"]?.stringValue ?? ""
        if controller.utf8.count > Self.maxControllerLength { errs.append(.tooLong(path.child("controller"), Self.maxControllerLength)) }
        errs += Self.domainPrefixedPath(controller, path.child("controller"))
        if let parameters = spec["parameters"], parameters != .null {
            errs += Self.validateParameters(parameters, path.child("parameters"))
        }
        return errs
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        validate(object) + FieldValidation.immutable(object[path: "spec", "controller"], old[path: "spec", "controller"],
                                                     FieldPath("spec.controller"))
    }

    /// IsDomainPrefixedPath: `<DNS subdomain>/<HTTP path>`.
    static func domainPrefixedPath(_ value: String, _ path: FieldPath) -> [FieldError] {
        if value.isEmpty { return [.required(path)] }
        let segments = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard segments.count == 2, !segments[0].isEmpty, !segments[1].isEmpty else {
            return [.invalid(path, value, "must be a domain-prefixed path (such as \"acme.io/foo\")")]
        }
        var errs = NameValidation.isDNS1123Subdomain(segments[0]).map { FieldError.invalid(path, segments[0], $0) }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-._~%!$&'()*+,;=:")
        if !segments[1].allSatisfy({ allowed.contains($0) }) {
            errs.append(.invalid(path, segments[1], NameValidation.regexError("Invalid path", "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+")))
        }
        return errs
    }

    /// validateIngressClassParametersReference: kind and name required; a Namespace-scoped
    /// reference names its namespace, a Cluster-scoped one does not.
    static func validateParameters(_ parameters: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        if let group = parameters["apiGroup"]?.stringValue {
            for msg in NameValidation.isDNS1123Subdomain(group) { errs.append(.invalid(path.child("apiGroup"), group, msg)) }
        }
        for (field, detail) in [("kind", "kind is required"), ("name", "name is required")] {
            let value = parameters[field]?.stringValue ?? ""
            if value.isEmpty { errs.append(.required(path.child(field), detail)); continue }
            for msg in NameValidation.validatePathSegmentName(value, prefix: false) { errs.append(.invalid(path.child(field), value, msg)) }
        }
        let namespace = parameters["namespace"]?.stringValue
        switch parameters["scope"]?.stringValue {
        case nil:
            errs.append(.required(path.child("scope")))
        case "Namespace":
            if namespace == nil {
                errs.append(.required(path.child("namespace"), "`parameters.scope` is set to 'Namespace'"))
            } else if let namespace {
                for msg in NameValidation.isDNS1123Label(namespace) { errs.append(.invalid(path.child("namespace"), namespace, msg)) }
            }
        case "Cluster":
            if namespace != nil { errs.append(.forbidden(path.child("namespace"), "`parameters.scope` is set to 'Cluster'")) }
        case let scope?:
            errs.append(.notSupported(path.child("scope"), .string(scope), scopes))
        }
        return errs
    }
}
