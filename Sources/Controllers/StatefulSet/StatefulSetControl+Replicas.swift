import APIMachinery
import ControllerRuntime
import Foundation

extension StatefulSetControl {
    struct Outcome {
        var status: StatefulSetStatus
        var error: Error?
    }

    /// updateStatefulSet: partition pods into replicas (ordinals in range) and condemned (beyond it);
    /// create, recreate and repair replicas; delete condemned pods from the highest ordinal; then roll
    /// pods to the update revision. Under OrderedReady (monotonic) each step stops at the first pod
    /// that is not yet Running, Ready and available; under Parallel all pods proceed at once.
    func updateStatefulSet(_ set: StatefulSetObject, current: StatefulSetHistory.Revision, update: StatefulSetHistory.Revision,
                           collisionCount: Int32, pods: [JSON]) -> Outcome {
        let now = timers.now()
        let currentSet = apply(current, to: set)
        let updateSet = apply(update, to: set)
        var status = StatefulSetStatus()
        status.observedGeneration = set.generation
        status.currentRevision = current.name
        status.updateRevision = update.name
        status.collisionCount = collisionCount
        status.count([pods], minReadySeconds: set.minReadySeconds, now: now)

        var replicas = [JSON?](repeating: nil, count: max(0, set.replicas))
        var condemned: [JSON] = []
        for pod in pods {
            let ordinal = StatefulPod.ordinal(pod)
            if set.inRange(ordinal) {
                replicas[ordinal - set.startOrdinal] = pod
            } else if ordinal >= 0 {
                condemned.append(pod)
            }
        }
        let built: [JSON] = replicas.enumerated().map { index, pod in
            pod ?? StatefulSetPodIdentity.newVersionedPod(current: currentSet, update: updateSet, currentRevision: current.name,
                                                          updateRevision: update.name, ordinal: set.startOrdinal + index)
        }
        condemned.sort { StatefulPod.ordinal($0) > StatefulPod.ordinal($1) }
        let unavailable = { (pod: JSON) in StatefulPod.isUnavailable(pod, minReadySeconds: set.minReadySeconds, now: now) }
        let firstUnavailable: JSON? = built.first(where: unavailable) ?? condemned.reversed().first(where: unavailable)

        if set.isBeingDeleted { return Outcome(status: status) }
        let monotonic = !set.allowsBurst
        func finish(_ error: Error?) -> Outcome {
            status.count([built, condemned], minReadySeconds: set.minReadySeconds, now: now)
            return Outcome(status: status, error: error)
        }

        var result = runForAll(built.count, monotonic: monotonic) { i in
            try processReplica(set, updateSet: updateSet, monotonic: monotonic, pod: built[i], now: now)
        }
        if result.exit { return finish(result.error) }

        result = runForAll(condemned.count, monotonic: monotonic) { i in
            if try !podControl.claimsMatchRetentionPolicy(updateSet, condemned[i]) {
                try podControl.updateClaimsForRetentionPolicy(updateSet, condemned[i])
            }
            return false
        }
        if result.exit { return finish(result.error) }

        result = runForAll(condemned.count, monotonic: monotonic) { i in
            try processCondemned(set, firstUnavailable: firstUnavailable, monotonic: monotonic, pod: condemned[i], now: now)
        }
        if result.exit { return finish(result.error) }

        status.count([built, condemned], minReadySeconds: set.minReadySeconds, now: now)
        if set.updateStrategyType == "OnDelete" { return Outcome(status: status) }
        return rollingUpdate(set, replicas: built, updateRevision: update.name, status: status, now: now)
    }

    /// processReplica: returns true when the sync must stop here.
    func processReplica(_ set: StatefulSetObject, updateSet: StatefulSetObject, monotonic: Bool, pod: JSON, now: Date) throws -> Bool {
        // Failed and Succeeded pods are deleted; the next sync, once the pod is gone, recreates it.
        if StatefulPod.isFailed(pod) || StatefulPod.isSucceeded(pod) {
            if !StatefulPod.isTerminating(pod) { try podControl.deletePod(set, pod) }
            return true
        }
        // As upstream, a burst sync carries on with the pod as built (no phase yet), so the
        // pending-claims step below does not run for it.
        if !StatefulPod.isCreated(pod) {
            if podControl.podClaimIsStale(set, pod) { return true }
            try podControl.createPod(set, pod)
            if monotonic { return true }
        }
        if StatefulPod.isPending(pod) {
            try podControl.createClaims(set, pod)
            try podControl.updateClaimsForRetentionPolicy(set, pod)
        }
        if monotonic {
            if StatefulPod.isTerminating(pod) || !StatefulPod.isRunningAndReady(pod)
                || !StatefulPod.isAvailable(pod, minReadySeconds: set.minReadySeconds, now: now) {
                return true
            }
        }
        let retentionMatches = (try? podControl.claimsMatchRetentionPolicy(updateSet, pod)) ?? true
        if StatefulSetPodIdentity.identityMatches(set, pod) && StatefulSetPodIdentity.storageMatches(set, pod) && retentionMatches {
            return false
        }
        try podControl.updatePod(updateSet, pod)
        return false
    }

    /// processCondemned: under OrderedReady, wait for terminations and for unhealthy predecessors
    /// (only the first unavailable pod may itself be deleted while unhealthy).
    func processCondemned(_ set: StatefulSetObject, firstUnavailable: JSON?, monotonic: Bool, pod: JSON, now: Date) throws -> Bool {
        if StatefulPod.isTerminating(pod) { return monotonic }
        let isFirstUnavailable = firstUnavailable?.meta.name == pod.meta.name
        if monotonic && !isFirstUnavailable {
            if !StatefulPod.isRunningAndReady(pod) || !StatefulPod.isAvailable(pod, minReadySeconds: set.minReadySeconds, now: now) {
                return true
            }
        }
        try podControl.deletePod(set, pod)
        return true
    }

    /// runForAll: in order, stopping at the first pod that asks to stop (monotonic), or all pods in
    /// slow-start batches of 1, 2, 4… that stop after a batch with errors (burst).
    func runForAll(_ count: Int, monotonic: Bool, _ body: (Int) throws -> Bool) -> (exit: Bool, error: Error?) {
        if monotonic {
            for i in 0..<count {
                do {
                    if try body(i) { return (true, nil) }
                } catch { return (true, error) }
            }
            return (false, nil)
        }
        var start = 0
        var batch = min(1, count)
        while batch > 0 {
            var errors: [String] = []
            var firstError: Error?
            for i in start..<(start + batch) {
                do { _ = try body(i) } catch {
                    errors.append(StatefulPodControl.text(error))
                    if firstError == nil { firstError = error }
                }
            }
            if !errors.isEmpty {
                return (true, errors.count == 1 ? firstError : StatefulSetSyncError(aggregating: errors))
            }
            start += batch
            batch = min(2 * batch, count - start, 500)
        }
        return (false, nil)
    }

    /// The rolling update with maxUnavailable (updateStatefulSetAfterInvariantEstablished): from the
    /// highest ordinal down to the partition, delete pods not at the update revision while fewer than
    /// maxUnavailable replicas are unavailable; they come back at the update revision.
    func rollingUpdate(_ set: StatefulSetObject, replicas: [JSON], updateRevision: String, status: StatefulSetStatus, now: Date) -> Outcome {
        var status = status
        let maxUnavailable = Self.maxUnavailable(set.maxUnavailable, replicas: set.replicas)
        let unavailable = replicas.filter { StatefulPod.isUnavailable($0, minReadySeconds: set.minReadySeconds, now: now) }.count
        if unavailable > maxUnavailable { return Outcome(status: status) }
        let toDelete = maxUnavailable - unavailable
        var deleted = 0
        var target = replicas.count - 1
        let updateMin = set.hasRollingUpdate ? set.partition : 0
        while target >= updateMin && deleted < toDelete {
            let pod = replicas[target]
            if StatefulPod.revision(pod) != updateRevision && !StatefulPod.isTerminating(pod) {
                do {
                    try podControl.deletePod(set, pod)
                } catch {
                    if (error as? APIError)?.code != 404 { return Outcome(status: status, error: error) }
                }
                deleted += 1
                status.currentReplicas -= 1
            }
            target -= 1
        }
        return Outcome(status: status)
    }

    /// getStatefulSetMaxUnavailable: an integer or a percentage of replicas rounded down, at least 1.
    static func maxUnavailable(_ value: JSON?, replicas: Int) -> Int {
        var result = 1
        switch value {
        case .int(let n)?: result = Int(n)
        case .string(let s)? where s.hasSuffix("%"):
            if let percent = Int(s.dropLast()) { result = percent * replicas / 100 }
        case .string(let s)?: result = Int(s) ?? 1
        default: break
        }
        return max(1, result)
    }
}
