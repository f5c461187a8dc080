import APIMachinery

/// The replica arithmetic of pkg/controller/deployment/util: surge and unavailability resolved
/// against the desired count (surge rounds up, unavailability down), and sums over ReplicaSets.
enum DeploymentSpecMath {
    /// GetScaledValueFromIntOrPercent: an integer as is, a percentage of `total` rounded up or down.
    static func scaled(_ v: JSON?, total: Int, roundUp: Bool) -> Int {
        guard let v else { return 0 }
        if let i = v.intValue { return Int(i) }
        guard let s = v.stringValue, s.hasSuffix("%"), let n = Int(s.dropLast()) else { return 0 }
        let product = n * total
        return roundUp ? (product + 99) / 100 : product / 100
    }

    /// ResolveFenceposts: both 0 would stall a rollout, so unavailability becomes 1 then.
    static func fenceposts(_ d: DeploymentView) -> (surge: Int, unavailable: Int) {
        let surge = scaled(d.maxSurge, total: d.replicas, roundUp: true)
        var unavailable = scaled(d.maxUnavailable, total: d.replicas, roundUp: false)
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        return (surge, unavailable)
    }

    static func isRollingUpdate(_ d: DeploymentView) -> Bool { d.strategyType == "RollingUpdate" }

    /// MaxUnavailable: 0 for Recreate or no replicas; never above the desired count.
    static func maxUnavailable(_ d: DeploymentView) -> Int {
        guard isRollingUpdate(d), d.replicas > 0 else { return 0 }
        return min(fenceposts(d).unavailable, d.replicas)
    }

    /// MaxSurge: 0 for Recreate.
    static func maxSurge(_ d: DeploymentView) -> Int {
        isRollingUpdate(d) ? fenceposts(d).surge : 0
    }

    static func specReplicas(_ sets: [ReplicaSetView]) -> Int { sets.reduce(0) { $0 + $1.replicas } }
    static func statusReplicas(_ sets: [ReplicaSetView]) -> Int { sets.reduce(0) { $0 + $1.statusReplicas } }
    static func readyReplicas(_ sets: [ReplicaSetView]) -> Int { sets.reduce(0) { $0 + $1.readyReplicas } }
    static func availableReplicas(_ sets: [ReplicaSetView]) -> Int { sets.reduce(0) { $0 + $1.availableReplicas } }

    /// Available replicas each set keeps once it is at its size: a set just scaled down still
    /// reports the pods it is about to delete (its status lags its spec), and those are deleted
    /// unavailable ones first, so no set counts for more than its spec.
    static func availableAtSize(_ sets: [ReplicaSetView]) -> Int {
        sets.reduce(0) { $0 + min($1.availableReplicas, $1.replicas) }
    }

    /// FilterActiveReplicaSets: those with replicas wanted.
    static func active(_ sets: [ReplicaSetView]) -> [ReplicaSetView] { sets.filter { $0.replicas > 0 } }

    /// ReplicaSetsByCreationTimestamp: oldest first, ties by name.
    static func byCreation(_ sets: [ReplicaSetView]) -> [ReplicaSetView] {
        sets.sorted { a, b in
            let ta = a.meta.creationTimestamp ?? "", tb = b.meta.creationTimestamp ?? ""
            return ta == tb ? a.meta.name < b.meta.name : ta < tb
        }
    }

    /// The revision annotation as a number (0 when absent or malformed).
    static func revision(_ set: ReplicaSetView) -> Int64 {
        Int64(set.meta.annotation(DeploymentAnnotations.revision) ?? "") ?? 0
    }
}

/// The annotations the Deployment controller keeps on itself and its ReplicaSets.
enum DeploymentAnnotations {
    static let revision = "deployment.kubernetes.io/revision"
    static let revisionHistory = "deployment.kubernetes.io/revision-history"
    static let desiredReplicas = "deployment.kubernetes.io/desired-replicas"
    static let maxReplicas = "deployment.kubernetes.io/max-replicas"
    /// Never copied from a Deployment to its ReplicaSets (annotationsToSkip).
    static let skipped: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", revision, revisionHistory, desiredReplicas, maxReplicas,
        "deprecated.deployment.rollback.to",
    ]
    /// maxRevHistoryLengthInChars.
    static let maxRevisionHistoryLength = 2000
}
