import APIMachinery

/// PodDisruptionBudgets (pkg/registry/policy/poddisruptionbudget/strategy.go,
/// ValidatePodDisruptionBudget): generation moves with the spec; the disruption controller owns status.
public struct PodDisruptionBudgetStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.podDisruptionBudgets }
    public var tracksGeneration: Bool { true }
    static let evictionPolicies = ["AlwaysAllow", "IfHealthyBudget"]

    /// The status starts as Go's zero PodDisruptionBudgetStatus: its four counts have no omitempty.
    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = ["currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0]
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        let path = FieldPath("spec")
        var errs: [FieldError] = []
        let min = spec["minAvailable"].flatMap { $0.isNull ? nil : $0 }
        let max = spec["maxUnavailable"].flatMap { $0.isNull ? nil : $0 }
        if min != nil, max != nil {
            errs.append(FieldError(.invalid, path, value: Self.goSpec(spec), "minAvailable and maxUnavailable cannot be both set"))
        }
        for (name, value) in [("minAvailable", min), ("maxUnavailable", max)] {
            guard let value else { continue }
            errs += IntOrPercent.validatePositive(value, path.child(name))
            if let (n, isPercent) = IntOrPercent.value(value), isPercent, n > 100 {
                errs.append(.invalid(path.child(name), value, "must not be greater than 100%"))
            }
        }
        if let selector = spec["selector"], !selector.isNull {
            errs += LabelSelector.validate(selector, path: path.child("selector"))
        }
        if let policy = spec["unhealthyPodEvictionPolicy"]?.stringValue, !Self.evictionPolicies.contains(policy) {
            errs.append(.notSupported(path.child("unhealthyPodEvictionPolicy"), .string(policy), Self.evictionPolicies))
        }
        return errs
    }

    /// The spec as on create (policy/v1 budgets may change it), and ValidatePodDisruptionBudgetStatusUpdate's
    /// non-negative counts (the status subresource passes here too).
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        var errs = validate(object)
        for field in ["disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"] {
            errs += FieldValidation.nonnegative(object[path: "status", field], FieldPath("status").child(field))
        }
        return errs
    }

    /// A short Go-like rendering of the spec for the one error upstream reports on the whole spec.
    static func goSpec(_ spec: JSON) -> String {
        "policy.PodDisruptionBudgetSpec{MinAvailable:\(FieldError.render(spec["minAvailable"])), "
            + "MaxUnavailable:\(FieldError.render(spec["maxUnavailable"]))}"
    }
}
