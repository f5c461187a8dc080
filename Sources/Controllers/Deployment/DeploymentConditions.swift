import APIMachinery
import Foundation

/// Deployment conditions as deploymentutil keeps them (NewDeploymentCondition, SetDeploymentCondition).
enum DeploymentConditions {
    /// A condition with both times now, members in the Go struct's order.
    static func make(_ type: String, _ status: String, _ reason: String, _ message: String, now: Date) -> JSON {
        let time = JSON.string(Timestamp.format(now))
        return ["type": .string(type), "status": .string(status), "lastUpdateTime": time, "lastTransitionTime": time,
                "reason": .string(reason), "message": .string(message)]
    }

    static func get(_ status: JSON, _ type: String) -> JSON? {
        status["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    /// SetDeploymentCondition: nothing when status and reason are unchanged; the transition time
    /// kept when only the reason changed; the condition moved to the end of the list.
    static func set(_ status: inout JSON, _ condition: JSON) {
        var condition = condition
        let type = condition["type"]?.stringValue ?? ""
        if let current = get(status, type) {
            if current["status"] == condition["status"] && current["reason"] == condition["reason"] { return }
            if current["status"] == condition["status"] { condition["lastTransitionTime"] = current["lastTransitionTime"] }
        }
        remove(&status, type)
        status["conditions"] = .array((status["conditions"]?.arrayValue ?? []) + [condition])
    }

    static func remove(_ status: inout JSON, _ type: String) {
        guard let conditions = status["conditions"]?.arrayValue else { return }
        let kept = conditions.filter { $0["type"]?.stringValue != type }
        status["conditions"] = kept.isEmpty ? nil : .array(kept)
    }
}
