import APIMachinery
import Foundation

/// calculateStatus: counts over the set's active pods, and the generation they answer to.
struct ReplicaSetStatus: Equatable {
    var replicas = 0
    var fullyLabeledReplicas = 0
    var readyReplicas = 0
    var availableReplicas = 0
    var observedGeneration: Int64 = 0
    /// `status.conditions` as they are to be written (only ReplicaFailure is ever set).
    var conditions: [JSON] = []

    init(_ set: ReplicaSetView, pods: [PodFacts], now: Date) {
        let templateLabels = set.templateLabels
        let minReadySeconds = set.minReadySeconds
        replicas = pods.count
        for pod in pods {
            if templateLabels.allSatisfy({ pod.labels[$0.key] == $0.value }) { fullyLabeledReplicas += 1 }
            guard pod.ready else { continue }
            readyReplicas += 1
            if pod.isAvailable(minReadySeconds: minReadySeconds, now: now) { availableReplicas += 1 }
        }
        observedGeneration = set.meta.generation
        conditions = set.status["conditions"]?.arrayValue ?? []
    }

    init(stored set: ReplicaSetView) {
        replicas = set.statusReplicas
        fullyLabeledReplicas = set.fullyLabeledReplicas
        readyReplicas = set.readyReplicas
        availableReplicas = set.availableReplicas
        observedGeneration = set.observedGeneration
        conditions = set.status["conditions"]?.arrayValue ?? []
    }

    /// calculateStatus's ReplicaFailure: set (FailedCreate or FailedDelete, with the error) when
    /// managing the replicas failed and none is reported yet; removed once they are managed again.
    mutating func reportFailure(_ error: (any Error)?, surplus: Int, now: Date) {
        let reported = conditions.contains { $0["type"]?.stringValue == "ReplicaFailure" }
        if let error, !reported {
            let reason = surplus < 0 ? "FailedCreate" : surplus > 0 ? "FailedDelete" : ""
            conditions.append(["type": "ReplicaFailure", "status": "True", "lastTransitionTime": .string(Timestamp.format(now)),
                               "reason": .string(reason), "message": .string("\(error)")])
        } else if error == nil && reported {
            conditions.removeAll { $0["type"]?.stringValue == "ReplicaFailure" }
        }
    }

    /// The JSON Go writes (omitempty drops zeros except `replicas`).
    var json: JSON {
        var o = JSONObject()
        o["replicas"] = .int(Int64(replicas))
        if fullyLabeledReplicas != 0 { o["fullyLabeledReplicas"] = .int(Int64(fullyLabeledReplicas)) }
        if readyReplicas != 0 { o["readyReplicas"] = .int(Int64(readyReplicas)) }
        if availableReplicas != 0 { o["availableReplicas"] = .int(Int64(availableReplicas)) }
        if observedGeneration != 0 { o["observedGeneration"] = .int(observedGeneration) }
        if !conditions.isEmpty { o["conditions"] = .array(conditions) }
        return .object(o)
    }
}
