import APIMachinery
import Foundation

/// calculateStatus: counts over the set's active pods, and the generation they answer to.
struct ReplicaSetStatus: Equatable {
    var replicas = 0
    var fullyLabeledReplicas = 0
    var readyReplicas = 0
    var availableReplicas = 0
    var observedGeneration: Int64 = 0

    init(_ set: ReplicaSetView, pods: [PodFacts], now: Date) {
        let templateLabels = set.templateLabels
        replicas = pods.count
        for pod in pods {
            if templateLabels.allSatisfy({ pod.labels[$0.key] == $0.value }) { fullyLabeledReplicas += 1 }
            guard pod.ready else { continue }
            readyReplicas += 1
            if pod.isAvailable(minReadySeconds: set.minReadySeconds, now: now) { availableReplicas += 1 }
        }
        observedGeneration = set.meta.generation
    }

    init(stored set: ReplicaSetView) {
        replicas = set.statusReplicas
        fullyLabeledReplicas = set.fullyLabeledReplicas
        readyReplicas = set.readyReplicas
        availableReplicas = set.availableReplicas
        observedGeneration = set.observedGeneration
    }

    /// The JSON Go writes (omitempty drops zeros except `replicas`); conditions are kept as stored.
    func json(keeping stored: JSON) -> JSON {
        var o = JSONObject()
        o["replicas"] = .int(Int64(replicas))
        if fullyLabeledReplicas != 0 { o["fullyLabeledReplicas"] = .int(Int64(fullyLabeledReplicas)) }
        if readyReplicas != 0 { o["readyReplicas"] = .int(Int64(readyReplicas)) }
        if availableReplicas != 0 { o["availableReplicas"] = .int(Int64(availableReplicas)) }
        if observedGeneration != 0 { o["observedGeneration"] = .int(observedGeneration) }
        if let conditions = stored["conditions"], conditions != .null { o["conditions"] = conditions }
        return .object(o)
    }
}
