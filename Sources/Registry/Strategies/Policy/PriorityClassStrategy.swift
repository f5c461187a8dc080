import APIMachinery

/// scheduling.k8s.io/v1 PriorityClasses (pkg/apis/scheduling/validation, ValidatePriorityClass):
/// `system-` names are the two system classes only, a user class is at most one billion, value and
/// preemption policy are immutable. One global default at a time is the Priority admission's rule.
public struct PriorityClassStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.priorityClasses }

    public static let highestUserDefinablePriority: Int64 = 1_000_000_000
    static let systemPrefix = "system-"
    static let preemptionPolicies = ["Never", "PreemptLowerPriority"]

    /// The classes every cluster has (scheduling.SystemPriorityClasses), created at start.
    public static let systemClasses: [JSON] = [
        ["apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": ["name": "system-node-critical"],
         "value": 2_000_001_000, "description": "Used for system critical pods that must not be moved from their current node."],
        ["apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": ["name": "system-cluster-critical"],
         "value": 2_000_000_000, "description": "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."],
    ]

    public func applyDefaults(_ object: inout JSON) {
        object.setDefaultString("preemptionPolicy", "PreemptLowerPriority")
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let name = object.meta.name
        let value = object["value"]?.intValue ?? 0
        var errs: [FieldError] = []
        if name.hasPrefix(Self.systemPrefix) {
            // IsKnownSystemPriorityClass: a reserved name keeps its system value and is never the default.
            let known: String?
            if let system = Self.systemClasses.first(where: { $0.meta.name == name }) {
                let expected = system["value"]?.intValue ?? 0
                known = value != expected ? "value of \(name) PriorityClass must be \(expected)"
                    : object["globalDefault"]?.boolValue == true ? "globalDefault of \(name) PriorityClass must be false" : nil
            } else {
                known = "\(name) is not a known system priority class"
            }
            if let known {
                errs.append(.forbidden(FieldPath("metadata.name"),
                                       "priority class names with '\(Self.systemPrefix)' prefix are reserved for system use only. error: \(known)"))
            }
        } else if value > Self.highestUserDefinablePriority {
            errs.append(.forbidden(FieldPath("value"), "maximum allowed value of a user defined priority is \(Self.highestUserDefinablePriority)"))
        }
        if let policy = object["preemptionPolicy"], policy != .null {
            errs += FieldValidation.enumValue(policy, Self.preemptionPolicies, FieldPath("preemptionPolicy"))
        }
        return errs
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        var errs = validate(object)
        if (object["value"]?.intValue ?? 0) != (old["value"]?.intValue ?? 0) {
            errs.append(.forbidden(FieldPath("value"), "may not be changed in an update."))
        }
        errs += FieldValidation.immutable(object["preemptionPolicy"], old["preemptionPolicy"], FieldPath("preemptionPolicy"))
        return errs
    }

    /// Priority admission for a PriorityClass: one `globalDefault` at a time (403, as upstream).
    public func admit(_ object: inout JSON, cluster: ClusterLookup) throws(APIError) {
        guard object["globalDefault"]?.boolValue == true else { return }
        if let other = cluster.priorityClasses().first(where: { $0.object["globalDefault"]?.boolValue == true && $0.object.meta.name != object.meta.name }) {
            throw APIError.forbidden(resource.groupResource, object.meta.name,
                                     "PriorityClass \(other.object.meta.name) is already marked as default. Only one default can exist")
        }
    }
}
