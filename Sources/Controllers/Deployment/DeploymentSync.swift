import APIMachinery
import ControllerRuntime
import Foundation
import Registry

/// One run of syncDeployment: the deployment as this sync last wrote it, its ReplicaSets, and the
/// steps of upstream's controller, each writing through the registry.
struct DeploymentSync {
    let rt: DeploymentController.Runtime
    /// The deployment, replaced by what each status write returns (so later writes do not conflict).
    var d: DeploymentView
    var sets: [ReplicaSetView] = []
    let now: Date

    init(_ deployment: JSON, _ rt: DeploymentController.Runtime) {
        self.rt = rt
        d = DeploymentView(deployment)
        now = rt.context.timers.now()
    }

    var name: String { d.meta.name }
    var namespace: String { d.meta.namespace }
    var key: String { d.meta.key }

    /// syncDeployment.
    mutating func run() throws {
        if d.selector.matchesNothing || d.selector.isEmpty { return }
        sets = try claimReplicaSets()
        if d.meta.isBeingDeleted {
            try syncStatusOnly()
            return
        }
        try checkPausedConditions()
        if d.paused || isScalingEvent() {
            try syncScale()
            return
        }
        if d.strategyType == "Recreate" {
            try rolloutRecreate()
        } else {
            try rolloutRolling()
        }
    }

    /// getReplicaSetsForDeployment: owned sets that still match, orphans adopted, mismatches released.
    mutating func claimReplicaSets() throws -> [ReplicaSetView] {
        let store = rt.context.client(DeploymentController.replicaSets)
        let selector = d.selector
        let uid = d.meta.uid
        var claimed: [ReplicaSetView] = []
        var adoptable: Bool?
        for object in rt.sets.list(namespace: namespace) {
            let matches = selector.matches(object.meta.labels)
            if let ref = object.meta.controllerRef {
                guard ref.uid == uid else { continue }
                if matches { claimed.append(ReplicaSetView(object)); continue }
                if d.meta.isBeingDeleted { continue }
                if let released = try PodClaim.rewrite(object, store, refs: object.meta.ownerReferences.filter { $0.uid != uid }) {
                    rt.writes.wrote(key, released)
                }
                continue
            }
            guard matches, !d.meta.isBeingDeleted, !object.meta.isBeingDeleted else { continue }
            if adoptable == nil {
                let fresh = try rt.context.client(DeploymentController.deployments).get(namespace: namespace, name: name).object
                adoptable = fresh.meta.uid == uid && !fresh.meta.isBeingDeleted
            }
            guard adoptable == true else { continue }
            let reference = OwnerReferenceView(apiVersion: "apps/v1", kind: "Deployment", name: name, uid: uid,
                                               controller: true, blockOwnerDeletion: true)
            if let adopted = try PodClaim.rewrite(object, store, refs: object.meta.ownerReferences + [reference]) {
                rt.writes.wrote(key, adopted)
                claimed.append(ReplicaSetView(adopted))
            }
        }
        return claimed
    }

    /// FindNewReplicaSet: the oldest set whose template equals the deployment's, hash label aside.
    var newReplicaSet: ReplicaSetView? {
        DeploymentSpecMath.byCreation(sets).first { PodTemplateHash.equalIgnoringHash($0.template, d.template) }
    }

    var oldReplicaSets: [ReplicaSetView] {
        let newName = newReplicaSet?.meta.name
        return sets.filter { $0.meta.name != newName }
    }

    /// isScalingEvent: an active set was sized for another replica count than the deployment's now.
    func isScalingEvent() -> Bool {
        for set in DeploymentSpecMath.active(sets) {
            guard let desired = set.meta.annotation(DeploymentAnnotations.desiredReplicas).flatMap({ Int($0) }) else { continue }
            if desired != d.replicas { return true }
        }
        return false
    }

    /// Replaces a set in `sets` after a write, and records the write for the cache-lag check.
    mutating func replace(_ set: ReplicaSetView) {
        rt.writes.wrote(key, set.object)
        if let i = sets.firstIndex(where: { $0.meta.name == set.meta.name }) { sets[i] = set } else { sets.append(set) }
    }

    func event(_ reason: String, _ message: String, type: EventRecorder.EventType = .normal) {
        rt.context.events.record(d.object, type: type, reason: reason, message: message, component: DeploymentController.component)
    }
}
