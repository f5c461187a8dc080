import APIMachinery

/// Upstream's SetCRDCondition: a condition replaces the one of its type, keeping its
/// lastTransitionTime when the status did not change; a new type is appended.
enum CustomResourceDefinitionConditions {
    static func set(_ object: inout JSON, type: String, status: String, reason: String, message: String, now: String) {
        var conditions = object[path: "status", "conditions"]?.arrayValue ?? []
        var condition: JSONObject = ["type": .string(type), "status": .string(status), "lastTransitionTime": .string(now),
                                     "reason": .string(reason), "message": .string(message)]
        if let at = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
            if conditions[at]["status"]?.stringValue == status, let since = conditions[at]["lastTransitionTime"] {
                condition["lastTransitionTime"] = since
            }
            conditions[at] = .object(condition)
        } else {
            conditions.append(.object(condition))
        }
        object[path: "status", "conditions"] = .array(conditions)
    }

    /// Whether the condition of `type` already says this (upstream's IsCRDConditionEquivalent).
    static func isEquivalent(_ object: JSON, type: String, status: String, reason: String, message: String) -> Bool {
        guard let c = CustomResourceDefinitionView(object).condition(type) else { return false }
        return c.status == status && c.reason == reason && c.message == message
    }
}
