import APIMachinery

/// Leases (pkg/registry/coordination/lease/strategy.go, ValidateLease).
public struct LeaseStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.leases }

    /// LeaseSpec is a struct in Go, so `spec: {}` always reads back.
    public func applyDefaults(_ object: inout JSON) { object.setDefault("spec", .object([:])) }

    public func validate(_ object: JSON) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        let path = FieldPath("spec")
        var errs: [FieldError] = []
        if let duration = spec["leaseDurationSeconds"]?.intValue, duration <= 0 {
            errs.append(.invalid(path.child("leaseDurationSeconds"), spec["leaseDurationSeconds"], "must be greater than 0"))
        }
        if let transitions = spec["leaseTransitions"]?.intValue, transitions < 0 {
            errs.append(.invalid(path.child("leaseTransitions"), spec["leaseTransitions"], "must be greater than or equal to 0"))
        }
        if let strategy = spec["strategy"]?.stringValue, !strategy.isEmpty {
            errs += FieldValidation.qualifiedName(strategy, path.child("strategy"))
        }
        if !spec.string("preferredHolder").isEmpty && spec.string("strategy").isEmpty {
            errs.append(.forbidden(path.child("preferredHolder"), "may only be specified if `strategy` is defined"))
        }
        return errs
    }
}
