import APIMachinery
import ControllerRuntime
import Foundation

/// apps/v1 StatefulSetStatus as the controller computes it (computeReplicaStatus, updateStatus,
/// completeRollingUpdate, inconsistentStatus), rendered with Go's omitempty rules and field order.
struct StatefulSetStatus: Sendable, Equatable {
    var observedGeneration: Int64 = 0
    var replicas = 0
    var readyReplicas = 0
    var currentReplicas = 0
    var updatedReplicas = 0
    var currentRevision = ""
    var updateRevision = ""
    var collisionCount: Int32 = 0
    var availableReplicas = 0

    init() {}

    /// Reads the status stored on a set (absent members are zero).
    init(_ json: JSON) {
        observedGeneration = json["observedGeneration"]?.intValue ?? 0
        replicas = Int(json["replicas"]?.intValue ?? 0)
        readyReplicas = Int(json["readyReplicas"]?.intValue ?? 0)
        currentReplicas = Int(json["currentReplicas"]?.intValue ?? 0)
        updatedReplicas = Int(json["updatedReplicas"]?.intValue ?? 0)
        currentRevision = json["currentRevision"]?.stringValue ?? ""
        updateRevision = json["updateRevision"]?.stringValue ?? ""
        collisionCount = Int32(truncatingIfNeeded: json["collisionCount"]?.intValue ?? 0)
        availableReplicas = Int(json["availableReplicas"]?.intValue ?? 0)
    }

    /// updateStatus: recount replicas from the pods; a pod counts toward current/updated only when
    /// created and not terminating.
    mutating func count(_ podLists: [[JSON]], minReadySeconds: Int, now: Date) {
        replicas = 0; readyReplicas = 0; availableReplicas = 0; currentReplicas = 0; updatedReplicas = 0
        for pod in podLists.joined() {
            let created = StatefulPod.isCreated(pod)
            if created { replicas += 1 }
            if StatefulPod.isRunningAndReady(pod) {
                readyReplicas += 1
                if StatefulPod.isAvailable(pod, minReadySeconds: minReadySeconds, now: now) { availableReplicas += 1 }
            }
            if created && !StatefulPod.isTerminating(pod) {
                let revision = StatefulPod.revision(pod)
                if revision == currentRevision { currentReplicas += 1 }
                if revision == updateRevision { updatedReplicas += 1 }
            }
        }
    }

    /// completeRollingUpdate: once every replica runs the update revision and is ready, it becomes current.
    mutating func completeRollingUpdate(_ set: StatefulSetObject) {
        if set.updateStrategyType == "RollingUpdate" && updatedReplicas == set.replicas
            && readyReplicas == set.replicas && replicas == set.replicas {
            currentReplicas = updatedReplicas
            currentRevision = updateRevision
        }
    }

    /// inconsistentStatus: whether the stored status must be rewritten (collisionCount alone does
    /// not trigger a write upstream either).
    func differs(from stored: StatefulSetStatus) -> Bool {
        observedGeneration > stored.observedGeneration || replicas != stored.replicas
            || currentReplicas != stored.currentReplicas || readyReplicas != stored.readyReplicas
            || updatedReplicas != stored.updatedReplicas || currentRevision != stored.currentRevision
            || availableReplicas != stored.availableReplicas || updateRevision != stored.updateRevision
    }

    /// The JSON Go writes: omitempty drops zero observedGeneration, ready/current/updated replicas
    /// and empty revisions; replicas, availableReplicas and the collisionCount pointer always appear.
    var json: JSON {
        var o = JSONObject()
        if observedGeneration != 0 { o["observedGeneration"] = .int(observedGeneration) }
        o["replicas"] = .int(Int64(replicas))
        if readyReplicas != 0 { o["readyReplicas"] = .int(Int64(readyReplicas)) }
        if currentReplicas != 0 { o["currentReplicas"] = .int(Int64(currentReplicas)) }
        if updatedReplicas != 0 { o["updatedReplicas"] = .int(Int64(updatedReplicas)) }
        if !currentRevision.isEmpty { o["currentRevision"] = .string(currentRevision) }
        if !updateRevision.isEmpty { o["updateRevision"] = .string(updateRevision) }
        o["collisionCount"] = .int(Int64(collisionCount))
        o["availableReplicas"] = .int(Int64(availableReplicas))
        return .object(o)
    }
}
