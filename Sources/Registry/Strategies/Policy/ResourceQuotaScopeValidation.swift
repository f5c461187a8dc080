import APIMachinery

/// validateResourceQuotaScopes and validateScopeSelector (pkg/apis/core/validation): known scopes,
/// scopes that fit every standard resource the quota limits, no conflicting pair, and operators
/// and values each scope allows.
enum ResourceQuotaScopeValidation {
    static let standardScopes: Set<String> = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort",
                                               "PriorityClass", "CrossNamespacePodAffinity"]
    static let conflictingPairs: [Set<String>] = [["BestEffort", "NotBestEffort"], ["Terminating", "NotTerminating"]]
    static let podObjectCount: Set<String> = ["pods"]
    static let podCompute: Set<String> = ["cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"]
    static let standardQuotaResources: Set<String> = [
        "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage", "requests.ephemeral-storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "resourcequotas", "services", "replicationcontrollers",
        "secrets", "persistentvolumeclaims", "configmaps", "services.nodeports", "services.loadbalancers",
    ]
    /// Scopes that only say whether they hold: their operator must be Exists.
    static let existsOnly: Set<String> = ["BestEffort", "NotBestEffort", "Terminating", "NotTerminating", "CrossNamespacePodAffinity"]

    static func validate(_ spec: JSON) -> [FieldError] {
        let hard = (spec["hard"]?.objectValue ?? [:]).keys.sorted()
        return validateScopes(spec, hard: hard) + validateSelector(spec, hard: hard)
    }

    /// IsStandardQuotaResourceName: the standard names and the huge page ones.
    static func isStandard(_ name: String) -> Bool {
        standardQuotaResources.contains(name) || name.hasPrefix("hugepages-") || name.hasPrefix("requests.hugepages-")
    }

    /// IsResourceQuotaScopeValidForResource.
    static func scope(_ scope: String, fits resource: String) -> Bool {
        switch scope {
        case "Terminating", "NotTerminating", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity":
            return podObjectCount.contains(resource) || podCompute.contains(resource)
        case "BestEffort":
            return podObjectCount.contains(resource)
        default:
            return true
        }
    }

    static func validateScopes(_ spec: JSON, hard: [String]) -> [FieldError] {
        let scopes = (spec["scopes"]?.arrayValue ?? []).map { $0.stringValue ?? "" }
        guard !scopes.isEmpty else { return [] }
        let path = FieldPath("spec.scopes")
        var errs: [FieldError] = []
        for scope in scopes {
            if !standardScopes.contains(scope) { errs.append(.invalid(path, spec["scopes"], "unsupported scope")) }
            for name in hard where isStandard(name) && !Self.scope(scope, fits: name) {
                errs.append(.invalid(path, spec["scopes"], "unsupported scope applied to resource"))
            }
        }
        for pair in conflictingPairs where pair.isSubset(of: Set(scopes)) {
            errs.append(.invalid(path, spec["scopes"], "conflicting scopes"))
        }
        return errs
    }

    static func validateSelector(_ spec: JSON, hard: [String]) -> [FieldError] {
        guard let selector = spec["scopeSelector"], selector != .null else { return [] }
        let path = FieldPath("spec.scopeSelector.matchExpressions")
        var errs: [FieldError] = []
        var seen: Set<String> = []
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            let scope = expression["scopeName"]?.stringValue ?? ""
            let op = expression["operator"]?.stringValue ?? ""
            let values = expression["values"]?.arrayValue ?? []
            if !standardScopes.contains(scope) { errs.append(.invalid(path.child("scopeName"), .string(scope), "unsupported scope")) }
            for name in hard where isStandard(name) && !Self.scope(scope, fits: name) {
                errs.append(.invalid(path, selector, "unsupported scope applied to resource"))
            }
            if existsOnly.contains(scope), op != "Exists" {
                errs.append(.invalid(path.child("operator"), .string(op),
                                     "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"))
            }
            switch op {
            case "In", "NotIn":
                if values.isEmpty {
                    errs.append(.required(path.child("values"), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"))
                }
            case "Exists", "DoesNotExist":
                if !values.isEmpty {
                    errs.append(.invalid(path.child("values"), expression["values"],
                                         "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"))
                }
            default:
                errs.append(.invalid(path.child("operator"), .string(op), "not a valid selector operator"))
            }
            seen.insert(scope)
        }
        for pair in conflictingPairs where pair.isSubset(of: seen) {
            errs.append(.invalid(path, spec["scopes"] ?? .null, "conflicting scopes"))
        }
        return errs
    }
}
