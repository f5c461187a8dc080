import APIMachinery
import Foundation

/// updateDaemonSetStatus's counts over the eligible nodes and the oldest daemon pod on each.
struct DaemonSetStatus: Equatable {
    var desiredNumberScheduled = 0
    var currentNumberScheduled = 0
    var numberMisscheduled = 0
    var numberReady = 0
    var numberAvailable = 0
    var updatedNumberScheduled = 0
    var observedGeneration: Int64 = 0
    var collisionCount: Int32?
    var conditions: JSON?

    init(_ set: DaemonSetView, nodes: [JSON], podsByNode: [String: [JSON]], hash: String, now: Date) {
        for node in nodes {
            let shouldRun = DaemonPods.shouldRun(set, on: node).shouldRun
            let pods = (podsByNode[node.meta.name] ?? []).sorted(by: DaemonPods.oldestFirst)
            guard shouldRun else {
                if !pods.isEmpty { numberMisscheduled += 1 }
                continue
            }
            desiredNumberScheduled += 1
            guard let pod = pods.first else { continue }
            currentNumberScheduled += 1
            let facts = PodFacts(pod)
            if facts.ready {
                numberReady += 1
                if facts.isAvailable(minReadySeconds: set.minReadySeconds, now: now) { numberAvailable += 1 }
            }
            if DaemonPods.isUpdated(pod, hash: hash, templateGeneration: set.templateGeneration) { updatedNumberScheduled += 1 }
        }
        observedGeneration = set.meta.generation
        collisionCount = set.collisionCount
        conditions = set.status["conditions"]
    }

    /// The JSON Go writes: the first four counts have no omitempty, the rest do.
    var json: JSON {
        var o: JSONObject = [
            "currentNumberScheduled": .int(Int64(currentNumberScheduled)), "numberMisscheduled": .int(Int64(numberMisscheduled)),
            "desiredNumberScheduled": .int(Int64(desiredNumberScheduled)), "numberReady": .int(Int64(numberReady)),
        ]
        if observedGeneration != 0 { o["observedGeneration"] = .int(observedGeneration) }
        if updatedNumberScheduled != 0 { o["updatedNumberScheduled"] = .int(Int64(updatedNumberScheduled)) }
        if numberAvailable != 0 { o["numberAvailable"] = .int(Int64(numberAvailable)) }
        let unavailable = desiredNumberScheduled - numberAvailable
        if unavailable != 0 { o["numberUnavailable"] = .int(Int64(unavailable)) }
        if let collisionCount, collisionCount != 0 { o["collisionCount"] = .int(Int64(collisionCount)) }
        if let conditions, conditions != .null { o["conditions"] = conditions }
        return .object(o)
    }
}
