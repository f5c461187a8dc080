import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension DeploymentSync {
    var hasProgressDeadline: Bool {
        guard let deadline = d.progressDeadlineSeconds else { return false }
        return deadline != Int(Int32.max)
    }

    /// Writes `status` (and the deployment's annotations, as upstream's status strategy keeps
    /// them) through `deployments/status`; later steps of this sync see the result.
    mutating func writeStatus(_ status: JSON) throws {
        var object = d.object
        object["status"] = status
        let store = rt.context.client(DeploymentController.deployments)
        let written = try store.updateStatus(namespace: namespace, name: name, body: RequestBody(value: object), options: WriteOptions()).object
        d = DeploymentView(written)
    }

    /// calculateStatus: counts over all sets, the generation observed, and Available by whether
    /// the minimum (desired less maxUnavailable) is available.
    func calculateStatus(_ newSet: ReplicaSetView?) -> JSON {
        let available = DeploymentSpecMath.availableReplicas(sets)
        let unavailable = max(0, DeploymentSpecMath.specReplicas(sets) - available)
        var status = JSONObject()
        if d.meta.generation != 0 { status["observedGeneration"] = .int(d.meta.generation) }
        let counts: [(String, Int)] = [
            ("replicas", DeploymentSpecMath.statusReplicas(sets)),
            ("updatedReplicas", newSet.map { DeploymentSpecMath.statusReplicas([$0]) } ?? 0),
            ("readyReplicas", DeploymentSpecMath.readyReplicas(sets)),
            ("availableReplicas", available),
            ("unavailableReplicas", unavailable),
        ]
        for (key, value) in counts where value != 0 { status[key] = .int(Int64(value)) }
        var json = JSON.object(status)
        if let conditions = d.status["conditions"], conditions != .null { json["conditions"] = conditions }
        if available >= d.replicas - DeploymentSpecMath.maxUnavailable(d) {
            DeploymentConditions.set(&json, DeploymentConditions.make("Available", "True", "MinimumReplicasAvailable",
                                                                       "Deployment has minimum availability.", now: now))
        } else {
            DeploymentConditions.set(&json, DeploymentConditions.make("Available", "False", "MinimumReplicasUnavailable",
                                                                       "Deployment does not have minimum availability.", now: now))
        }
        if let collisions = d.status["collisionCount"], collisions != .null { json["collisionCount"] = collisions }
        return json
    }

    /// DeploymentComplete: every replica updated and available, and the latest generation observed.
    func isComplete(_ status: JSON) -> Bool {
        let r = Int64(d.replicas)
        return (status["updatedReplicas"]?.intValue ?? 0) == r && (status["replicas"]?.intValue ?? 0) == r
            && (status["availableReplicas"]?.intValue ?? 0) == r && (status["observedGeneration"]?.intValue ?? 0) >= d.meta.generation
    }

    /// DeploymentProgressing: more updated, ready or available replicas, or fewer old ones, than before.
    func isProgressing(_ status: JSON) -> Bool {
        let old = d.status
        func n(_ s: JSON, _ k: String) -> Int64 { s[k]?.intValue ?? 0 }
        return n(status, "updatedReplicas") > n(old, "updatedReplicas")
            || n(status, "replicas") - n(status, "updatedReplicas") < n(old, "replicas") - n(old, "updatedReplicas")
            || n(status, "readyReplicas") > n(old, "readyReplicas")
            || n(status, "availableReplicas") > n(old, "availableReplicas")
    }

    /// DeploymentTimedOut: no progress for progressDeadlineSeconds since the Progressing condition's last update.
    func hasTimedOut(_ status: JSON) -> Bool {
        guard hasProgressDeadline, let condition = DeploymentConditions.get(status, "Progressing") else { return false }
        switch condition["reason"]?.stringValue {
        case "NewReplicaSetAvailable": return false
        case "ProgressDeadlineExceeded": return true
        default: break
        }
        guard let from = condition["lastUpdateTime"]?.stringValue.flatMap(Timestamp.parse) else { return false }
        return from.addingTimeInterval(TimeInterval(d.progressDeadlineSeconds ?? 0)) < now
    }

    /// syncDeploymentStatus: the computed status written if it differs.
    mutating func syncStatus(_ newSet: ReplicaSetView?) throws {
        let status = calculateStatus(newSet)
        if SemanticEquality.equal(status, d.status) { return }
        try writeStatus(status)
    }

    /// syncRolloutStatus: as syncDeploymentStatus, with the Progressing condition estimated and the
    /// deployment looked at again when its progress deadline would pass.
    mutating func syncRolloutStatus(_ newSet: ReplicaSetView?) throws {
        var status = calculateStatus(newSet)
        if !hasProgressDeadline { DeploymentConditions.remove(&status, "Progressing") }
        let current = DeploymentConditions.get(d.status, "Progressing")
        let completeBefore = (status["replicas"]?.intValue ?? 0) == (status["updatedReplicas"]?.intValue ?? 0)
            && current?["reason"]?.stringValue == "NewReplicaSetAvailable"
        if hasProgressDeadline && !completeBefore {
            let subject = newSet.map { "ReplicaSet \"\($0.meta.name)\"" } ?? "Deployment \"\(name)\""
            if isComplete(status) {
                DeploymentConditions.set(&status, DeploymentConditions.make("Progressing", "True", "NewReplicaSetAvailable",
                                                                             "\(subject) has successfully progressed.", now: now))
            } else if isProgressing(status) {
                var condition = DeploymentConditions.make("Progressing", "True", "ReplicaSetUpdated", "\(subject) is progressing.", now: now)
                if let current {
                    if current["status"]?.stringValue == "True" { condition["lastTransitionTime"] = current["lastTransitionTime"] }
                    DeploymentConditions.remove(&status, "Progressing")
                }
                DeploymentConditions.set(&status, condition)
            } else if hasTimedOut(status) {
                DeploymentConditions.set(&status, DeploymentConditions.make("Progressing", "False", "ProgressDeadlineExceeded",
                                                                             "\(subject) has timed out progressing.", now: now))
            }
        }
        // A ReplicaSet's ReplicaFailure (the new set's first) is the deployment's too.
        if let failure = replicaFailure(newSet) {
            DeploymentConditions.set(&status, failure)
        } else {
            DeploymentConditions.remove(&status, "ReplicaFailure")
        }
        if SemanticEquality.equal(status, d.status) {
            requeueStuck(status)
            return
        }
        try writeStatus(status)
        requeueStuck(status)
    }

    /// getReplicaFailures: the new set's ReplicaFailure condition, else an old set's, as a
    /// deployment condition (ReplicaSetToDeploymentCondition: both times the set's transition).
    func replicaFailure(_ newSet: ReplicaSetView?) -> JSON? {
        let ordered = (newSet.map { [$0] } ?? []) + sets.filter { $0.meta.name != newSet?.meta.name }
        for set in ordered {
            guard let condition = set.status["conditions"]?.arrayValue?.first(where: { $0["type"]?.stringValue == "ReplicaFailure" }) else { continue }
            let time = condition["lastTransitionTime"] ?? .null
            return ["type": "ReplicaFailure", "status": condition["status"] ?? "True", "lastUpdateTime": time, "lastTransitionTime": time,
                    "reason": condition["reason"] ?? "", "message": condition["message"] ?? ""]
        }
        return nil
    }

    /// requeueStuckDeployment: look again just after the progress deadline would pass.
    func requeueStuck(_ status: JSON) {
        guard hasProgressDeadline, let condition = DeploymentConditions.get(status, "Progressing"),
              !isComplete(status), condition["reason"]?.stringValue != "ProgressDeadlineExceeded",
              let from = condition["lastUpdateTime"]?.stringValue.flatMap(Timestamp.parse) else { return }
        let after = from.addingTimeInterval(TimeInterval(d.progressDeadlineSeconds ?? 0)).timeIntervalSince(now)
        if after < 1 {
            rt.queue.addRateLimited(key)
        } else {
            rt.queue.addAfter(key, .milliseconds(Int64((after + 1) * 1000)))
        }
    }

    /// syncStatusOnly: a deployment being deleted only reports.
    mutating func syncStatusOnly() throws {
        try syncStatus(newReplicaSet)
    }

    /// checkPausedConditions: Progressing goes Unknown with DeploymentPaused or DeploymentResumed,
    /// so a paused deployment never times out (a reported timeout is kept).
    mutating func checkPausedConditions() throws {
        guard hasProgressDeadline else { return }
        let condition = DeploymentConditions.get(d.status, "Progressing")
        if condition?["reason"]?.stringValue == "ProgressDeadlineExceeded" { return }
        let pausedReported = condition?["reason"]?.stringValue == "DeploymentPaused"
        var status = d.status
        if d.paused && !pausedReported {
            DeploymentConditions.set(&status, DeploymentConditions.make("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now: now))
        } else if !d.paused && pausedReported {
            DeploymentConditions.set(&status, DeploymentConditions.make("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", now: now))
        } else {
            return
        }
        try writeStatus(status)
    }
}
