import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension DeploymentSync {
    /// rolloutRolling: grow the new set within maxSurge, shrink old ones within maxUnavailable;
    /// one step per sync (each write's event brings the deployment back).
    mutating func rolloutRolling() throws {
        guard let newSet = try syncNewReplicaSet(create: true) else { return }
        if try reconcileNewReplicaSet(newSet) {
            try syncRolloutStatus(newReplicaSet)
            return
        }
        if try reconcileOldReplicaSets(newReplicaSet ?? newSet) {
            try syncRolloutStatus(newReplicaSet)
            return
        }
        if isComplete(calculateStatus(newReplicaSet)) { try cleanup() }
        try syncRolloutStatus(newReplicaSet)
    }

    mutating func reconcileNewReplicaSet(_ newSet: ReplicaSetView) throws -> Bool {
        if newSet.replicas == d.replicas { return false }
        if newSet.replicas > d.replicas { return try scale(newSet, to: d.replicas) }
        return try scale(newSet, to: newReplicaSetReplicas(current: newSet.replicas))
    }

    /// reconcileOldReplicaSets: first the old sets' unhealthy replicas, then healthy ones as long as
    /// the available count stays at or above desired less maxUnavailable.
    mutating func reconcileOldReplicaSets(_ newSet: ReplicaSetView) throws -> Bool {
        let oldCount = DeploymentSpecMath.specReplicas(oldReplicaSets)
        if oldCount == 0 { return false }
        let allCount = DeploymentSpecMath.specReplicas(sets)
        let minAvailable = d.replicas - DeploymentSpecMath.maxUnavailable(d)
        let newUnavailable = newSet.replicas - newSet.availableReplicas
        let maxScaledDown = allCount - minAvailable - newUnavailable
        if maxScaledDown <= 0 { return false }
        let cleaned = try cleanupUnhealthyReplicas(maxScaledDown)
        let scaledDown = try scaleDownOldForRollingUpdate()
        return cleaned + scaledDown > 0
    }

    /// cleanupUnhealthyReplicas: old sets lose their unavailable replicas first, oldest set first.
    mutating func cleanupUnhealthyReplicas(_ maxCleanup: Int) throws -> Int {
        var total = 0
        for set in DeploymentSpecMath.byCreation(oldReplicaSets) {
            if total >= maxCleanup { break }
            // A set just scaled down still counts the pods it is deleting as available (its status
            // lags its spec): it has no unhealthy replicas then. Upstream refuses that case with an
            // error ("invalid request to scale down"); skipping it avoids the requeue.
            if set.replicas == 0 || set.availableReplicas >= set.replicas { continue }
            let count = min(maxCleanup - total, set.replicas - set.availableReplicas)
            try scale(set, to: set.replicas - count)
            total += count
        }
        return total
    }

    /// scaleDownOldReplicaSetsForRollingUpdate: available replicas above the minimum go, oldest set first.
    mutating func scaleDownOldForRollingUpdate() throws -> Int {
        let minAvailable = d.replicas - DeploymentSpecMath.maxUnavailable(d)
        // Upstream sums the sets' reported availability; a set's report can still count pods of a
        // scale-down in flight, which would let two syncs in a row both scale down on them.
        let available = DeploymentSpecMath.availableAtSize(sets)
        if available <= minAvailable { return 0 }
        let target = available - minAvailable
        var total = 0
        for set in DeploymentSpecMath.byCreation(oldReplicaSets) {
            if total >= target { break }
            if set.replicas == 0 { continue }
            let count = min(set.replicas, target - total)
            try scale(set, to: set.replicas - count)
            total += count
        }
        return total
    }

    /// rolloutRecreate: every old set to zero, wait until their pods are gone, then the new set at full size.
    mutating func rolloutRecreate() throws {
        _ = try syncNewReplicaSet(create: false)
        var scaledDown = false
        for set in DeploymentSpecMath.active(oldReplicaSets) where try scale(set, to: 0) { scaledDown = true }
        if scaledDown || oldPodsRunning() {
            try syncRolloutStatus(newReplicaSet)
            return
        }
        var newSet = newReplicaSet
        if newSet == nil { newSet = try syncNewReplicaSet(create: true) }
        if let newSet { try scale(newSet, to: d.replicas) }
        if isComplete(calculateStatus(newReplicaSet)) { try cleanup() }
        try syncRolloutStatus(newReplicaSet)
    }

    /// oldPodsRunning: an old set still counts replicas, or one of its pods has not finished
    /// (a terminating pod counts until it is gone).
    func oldPodsRunning() -> Bool {
        if DeploymentSpecMath.statusReplicas(oldReplicaSets) > 0 { return true }
        let oldUIDs = Set(oldReplicaSets.map(\.meta.uid))
        return rt.pods.list(namespace: namespace).contains { pod in
            guard let ref = pod.meta.controllerRef, oldUIDs.contains(ref.uid) else { return false }
            return !PodView(pod).isTerminal
        }
    }

    /// sync (scaling and paused): sizes only, old sets cleaned while paused, status.
    mutating func syncScale() throws {
        _ = try syncNewReplicaSet(create: false)
        try scaleProportionally()
        if d.paused { try cleanup() }
        try syncStatus(newReplicaSet)
    }

    /// scale: the one active set (or the newest) takes the whole count; a saturated new set empties
    /// the old ones; otherwise a rolling deployment's sets grow or shrink in proportion to their size.
    mutating func scaleProportionally() throws {
        let newSet = newReplicaSet
        if let target = activeOrLatest(newSet) {
            if target.replicas != d.replicas { try scale(target, to: d.replicas) }
            return
        }
        if let newSet, isSaturated(newSet) {
            for set in DeploymentSpecMath.active(oldReplicaSets) { try scale(set, to: 0) }
            return
        }
        guard DeploymentSpecMath.isRollingUpdate(d) else { return }
        var active = DeploymentSpecMath.active(sets)
        let current = DeploymentSpecMath.specReplicas(active)
        let allowed = d.replicas > 0 ? d.replicas + DeploymentSpecMath.maxSurge(d) : 0
        let toAdd = allowed - current
        var operation = ""
        if toAdd > 0 {
            active = bySize(active, newerFirst: true)
            operation = "up"
        } else if toAdd < 0 {
            active = bySize(active, newerFirst: false)
            operation = "down"
        }
        var added = 0
        var sizes: [String: Int] = [:]
        for set in active {
            if toAdd != 0 {
                let proportion = self.proportion(set, toAdd: toAdd, added: added)
                sizes[set.meta.name] = set.replicas + proportion
                added += proportion
            } else {
                sizes[set.meta.name] = set.replicas
            }
        }
        for (i, set) in active.enumerated() {
            var size = sizes[set.meta.name] ?? set.replicas
            if i == 0 && toAdd != 0 { size = max(0, size + toAdd - added) }
            try scale(set, to: size, operation: operation)
        }
    }

    /// FindActiveOrLatest.
    func activeOrLatest(_ newSet: ReplicaSetView?) -> ReplicaSetView? {
        let olds = DeploymentSpecMath.byCreation(oldReplicaSets).reversed()
        if newSet == nil && olds.isEmpty { return nil }
        let active = DeploymentSpecMath.active(Array(olds) + (newSet.map { [$0] } ?? []))
        switch active.count {
        case 0: return newSet ?? olds.first
        case 1: return active[0]
        default: return nil
        }
    }

    /// IsSaturated: the new set has every desired replica, sized for this count, all available.
    func isSaturated(_ set: ReplicaSetView) -> Bool {
        set.replicas == d.replicas && set.meta.annotation(DeploymentAnnotations.desiredReplicas) == String(d.replicas)
            && set.availableReplicas == d.replicas
    }

    /// ReplicaSetsBySizeNewer / BySizeOlder: larger first, then newer (or older) first.
    func bySize(_ sets: [ReplicaSetView], newerFirst: Bool) -> [ReplicaSetView] {
        sets.sorted { a, b in
            if a.replicas != b.replicas { return a.replicas > b.replicas }
            let ta = a.meta.creationTimestamp ?? "", tb = b.meta.creationTimestamp ?? ""
            if ta == tb { return newerFirst ? a.meta.name > b.meta.name : a.meta.name < b.meta.name }
            return newerFirst ? ta > tb : ta < tb
        }
    }

    /// GetProportion: the set's share of the change, from the max-replicas it was sized for.
    func proportion(_ set: ReplicaSetView, toAdd: Int, added: Int) -> Int {
        if set.replicas == 0 || toAdd == 0 || toAdd == added { return 0 }
        let allowed = toAdd - added
        let fraction: Int
        if d.replicas == 0 {
            fraction = -set.replicas
        } else {
            let maxReplicas = d.replicas + DeploymentSpecMath.maxSurge(d)
            var before = set.meta.annotation(DeploymentAnnotations.maxReplicas).flatMap { Int($0) } ?? 0
            if before == 0 { before = Int(d.status["replicas"]?.intValue ?? 0) }
            if before == 0 { return 0 }
            fraction = Int((Double(set.replicas * maxReplicas) / Double(before)).rounded(.toNearestOrAwayFromZero)) - set.replicas
        }
        return toAdd > 0 ? min(fraction, allowed) : max(fraction, allowed)
    }
}
