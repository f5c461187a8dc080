import APIMachinery

/// The scopes a ResourceQuota limits itself to: `spec.scopes` (each an `Exists` requirement) and
/// `spec.scopeSelector.matchExpressions`, as upstream's GetScopeSelectorsFromQuota joins them. A
/// quota with scopes counts an object only when every requirement matches it (generic.Matches);
/// only pods can match (every other evaluator matches no scope).
public struct ResourceQuotaScopeRequirement: Equatable, Sendable {
    public var scopeName: String
    public var `operator`: String
    public var values: [String]

    /// Every requirement of a quota: its scopes first, then its selector's expressions.
    public static func all(of quota: JSON) -> [ResourceQuotaScopeRequirement] {
        let scopes = (quota[path: "spec", "scopes"]?.arrayValue ?? []).map {
            ResourceQuotaScopeRequirement(scopeName: $0.stringValue ?? "", operator: "Exists", values: [])
        }
        let expressions = (quota[path: "spec", "scopeSelector", "matchExpressions"]?.arrayValue ?? []).map {
            ResourceQuotaScopeRequirement(scopeName: $0["scopeName"]?.stringValue ?? "", operator: $0["operator"]?.stringValue ?? "",
                                          values: ($0["values"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
        return scopes + expressions
    }

    /// podMatchesScopeFunc.
    public func matches(pod: JSON) -> Bool {
        switch scopeName {
        case "Terminating": return Self.isTerminating(pod)
        case "NotTerminating": return !Self.isTerminating(pod)
        case "BestEffort": return ResourceQuotaUsage.isBestEffort(pod)
        case "NotBestEffort": return !ResourceQuotaUsage.isBestEffort(pod)
        case "PriorityClass": return matchesPriorityClass(pod[path: "spec", "priorityClassName"]?.stringValue ?? "")
        case "CrossNamespacePodAffinity": return Self.usesCrossNamespacePodAffinity(pod)
        default: return false
        }
    }

    /// podMatchesSelector: the pod's priority class as the label `PriorityClass` (absent when it
    /// names none), matched by the requirement as a label selector requirement.
    func matchesPriorityClass(_ priorityClass: String) -> Bool {
        let present = !priorityClass.isEmpty
        switch self.operator {
        case "Exists": return present
        case "DoesNotExist": return !present
        case "In": return present && values.contains(priorityClass)
        case "NotIn": return !present || !values.contains(priorityClass)
        default: return false
        }
    }

    /// A pod with an active deadline (not negative) is terminating.
    static func isTerminating(_ pod: JSON) -> Bool {
        guard let deadline = pod[path: "spec", "activeDeadlineSeconds"]?.intValue else { return false }
        return deadline >= 0
    }

    /// usesCrossNamespacePodAffinity: an affinity or anti-affinity term (required or preferred) that
    /// names namespaces or has a namespace selector.
    static func usesCrossNamespacePodAffinity(_ pod: JSON) -> Bool {
        guard let affinity = pod[path: "spec", "affinity"] else { return false }
        for kind in ["podAffinity", "podAntiAffinity"] {
            let required = affinity[path: kind, "requiredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? []
            let preferred = (affinity[path: kind, "preferredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? [])
                .compactMap { $0["podAffinityTerm"] }
            for term in required + preferred {
                if !(term["namespaces"]?.arrayValue ?? []).isEmpty { return true }
                if let selector = term["namespaceSelector"], selector != .null { return true }
            }
        }
        return false
    }
}
