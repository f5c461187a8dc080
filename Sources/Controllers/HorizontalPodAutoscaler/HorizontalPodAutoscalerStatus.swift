import APIMachinery
import Foundation

/// An HPA's status as reconcileAutoscaler rebuilds it: conditions kept and set by type (a change of
/// status moves lastTransitionTime), replicas, current metrics and lastScaleTime.
struct HorizontalPodAutoscalerStatus {
    var object: JSON
    let now: Date

    init(_ hpa: JSON, now: Date) {
        object = hpa["status"] ?? .object([:])
        if case .object = object {} else { object = .object([:]) }
        self.now = now
    }

    var conditions: [JSON] { object["conditions"]?.arrayValue ?? [] }

    /// setCondition: replaces the condition of `type` (appending it when new).
    mutating func setCondition(_ type: String, _ status: Bool, _ reason: String, _ message: String) {
        var list = conditions
        let value = status ? "True" : "False"
        let index = list.firstIndex { $0["type"]?.stringValue == type } ?? {
            list.append(["type": .string(type)])
            return list.count - 1
        }()
        var condition = list[index]
        if condition["status"]?.stringValue != value { condition["lastTransitionTime"] = .string(Timestamp.format(now)) }
        condition["status"] = .string(value)
        condition["reason"] = .string(reason)
        condition["message"] = .string(message)
        list[index] = condition
        object["conditions"] = .array(list)
    }

    /// setStatus: replicas and metrics replaced, lastScaleTime moved on a rescale, conditions kept.
    mutating func set(current: Int, desired: Int, metrics: [JSON]?, rescaled: Bool) {
        var status: JSONObject = ["currentReplicas": .int(Int64(current)), "desiredReplicas": .int(Int64(desired))]
        if let metrics { status["currentMetrics"] = .array(metrics) }
        status["lastScaleTime"] = rescaled ? .string(Timestamp.format(now)) : object["lastScaleTime"]
        if status["lastScaleTime"] == nil || status["lastScaleTime"] == .null { status["lastScaleTime"] = nil }
        if !conditions.isEmpty { status["conditions"] = .array(conditions) }
        object = .object(status)
    }

    /// setCurrentReplicasAndMetricsInStatus: the desired count stays what it was.
    mutating func set(current: Int, metrics: [JSON]?) {
        set(current: current, desired: Int(object["desiredReplicas"]?.intValue ?? 0), metrics: metrics, rescaled: false)
    }
}
