import APIMachinery

/// The PodDisruptionBudget's `DisruptionAllowed` condition (pkg/apis/policy/helper), shared by the
/// eviction subresource and the disruption controller.
public enum DisruptionConditions {
    /// UpdateDisruptionAllowedCondition: True/SufficientPods when a disruption is allowed, else
    /// False/InsufficientPods.
    public static func allowed(_ allowed: Bool, observedGeneration: Int64) -> JSON {
        [
            "type": "DisruptionAllowed",
            "status": allowed ? "True" : "False",
            "reason": allowed ? "SufficientPods" : "InsufficientPods",
            "message": "",
            "observedGeneration": .int(observedGeneration),
        ]
    }

    /// meta.SetStatusCondition: replaces the condition of the same type, moving its
    /// lastTransitionTime only when the status changes.
    public static func setting(_ conditions: [JSON], _ condition: JSON, now: String) -> [JSON] {
        var result = conditions
        var updated = condition
        let type = condition["type"]?.stringValue ?? ""
        if let i = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
            let unchanged = conditions[i]["status"]?.stringValue == condition["status"]?.stringValue
            updated["lastTransitionTime"] = unchanged ? (conditions[i]["lastTransitionTime"] ?? .string(now)) : .string(now)
            result[i] = updated
        } else {
            updated["lastTransitionTime"] = .string(now)
            result.append(updated)
        }
        return result
    }
}
