import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension JobController {
    /// trackJobStatusAndRemoveFinalizers: a finished pod that still has the tracking finalizer is
    /// first recorded in `status.uncountedTerminatedPods` (written before anything else), then
    /// loses its finalizer, then moves into `succeeded` or `failed`. A sync that stops half-way
    /// leaves the uids recorded, and the next one finishes the move: each pod counts once.
    static func countFinishedPods(_ pods: [JobPod], _ job: JobView, _ draft: inout JobStatusDraft, _ stored: inout JSON,
                                  _ key: String, _ rt: Runtime, now: Date) throws {
        let byUID = Dictionary(pods.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
        var recorded = false
        var releaseOnly: [JobPod] = []
        let policy = PodFailurePolicy(job)
        for pod in pods where pod.hasTrackingFinalizer {
            if pod.succeeded {
                if draft.uncountedSucceeded.contains(pod.uid) { continue }
                if job.isIndexed {
                    // A pod without a valid index completes nothing; it only gives its finalizer back.
                    guard let index = pod.index, index < (job.completions ?? 0) else { releaseOnly.append(pod); continue }
                    draft.completedIndexes.insert(index)
                }
                draft.uncountedSucceeded.append(pod.uid)
                recorded = true
            } else if pod.isFailed(replacesOnlyFailed: job.replacesOnlyFailedPods) {
                if draft.uncountedFailed.contains(pod.uid) { continue }
                // A failure the pod failure policy ignores is released without being counted.
                let match = policy.map { pod.view.phase == "Failed" ? $0.match(pod) : PodFailurePolicy.Match() } ?? PodFailurePolicy.Match()
                if !match.countsAsFailed {
                    releaseOnly.append(pod)
                    continue
                }
                // With backoffLimitPerIndex an index fails for good past its own limit (or by FailIndex).
                if let limit = job.backoffLimitPerIndex, let index = pod.index, index < (job.completions ?? 0),
                   !draft.completedIndexes.contains(index), match.failsIndex || pod.indexFailureCount + 1 > limit {
                    draft.failedIndexes?.insert(index)
                }
                draft.uncountedFailed.append(pod.uid)
                recorded = true
            }
        }
        for pod in releaseOnly { try removeFinalizer(pod, key, rt) }
        guard !draft.uncountedSucceeded.isEmpty || !draft.uncountedFailed.isEmpty else { return }
        if recorded { try writeStatus(draft, job, &stored, rt) }
        for uid in draft.uncountedSucceeded + draft.uncountedFailed {
            if let pod = byUID[uid], pod.hasTrackingFinalizer { try removeFinalizer(pod, key, rt) }
        }
        rt.backoff.update(key, succeeded: draft.uncountedSucceeded.count,
                          failedAt: draft.uncountedFailed.map { byUID[$0]?.finishTime(now: now) ?? now })
        draft.succeeded = job.isIndexed ? draft.completedIndexes.count : draft.succeeded + draft.uncountedSucceeded.count
        draft.failed += draft.uncountedFailed.count
        draft.uncountedSucceeded = []
        draft.uncountedFailed = []
    }

    /// syncOrphanPod: a pod with the tracking finalizer whose Job is gone (checked in the store,
    /// not the cache) or that no Job controls any more loses the finalizer, so it can go.
    static func syncOrphanPod(_ key: String, _ rt: Runtime) throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let object = rt.pods.get(namespace: parts[0], name: parts[1]) else { return }
        let pod = JobPod(object: object)
        guard pod.hasTrackingFinalizer else { return }
        if let ref = object.meta.controllerRef, ref.kind == "Job" {
            let job = try? rt.context.client(jobs).get(namespace: parts[0], name: ref.name).object
            if let job, job.meta.uid == ref.uid { return }
        }
        try removeFinalizer(pod, nil, rt)
    }

    /// Removes the tracking finalizer (a pod already gone needs nothing) with upstream's strategic
    /// merge patch (removeTrackingFinalizerPatch): `patch` on pods is what the job-controller role
    /// grants, and the patch leaves other finalizers whatever they became meanwhile.
    static func removeFinalizer(_ pod: JobPod, _ key: String?, _ rt: Runtime) throws {
        guard pod.object.meta.finalizers.contains(trackingFinalizer) else { return }
        let patch: JSON = ["metadata": ["$deleteFromPrimitiveList/finalizers": [.string(trackingFinalizer)]]]
        do {
            let written = try rt.context.client(JobController.pods).patch(
                namespace: pod.object.meta.namespace, name: pod.name, type: .strategic, patch: RequestBody(value: patch)).object
            if let key { rt.writes.wrote(key, written) }
        } catch {
            if error.isNotFound { return }
            throw error
        }
    }

    /// Writes the draft through `jobs/status` when it differs from what is stored. A conflict means
    /// the Job changed since this sync read it: the sync is requeued (the change brings it back)
    /// rather than writing a status computed from an older Job.
    static func writeStatus(_ draft: JobStatusDraft, _ job: JobView, _ stored: inout JSON, _ rt: Runtime) throws {
        let status = draft.json(indexed: job.isIndexed)
        if SemanticEquality.equal(status, stored["status"] ?? [:]) { return }
        let store = rt.context.client(jobs)
        var object = stored
        object["status"] = status
        do {
            stored = try store.updateStatus(namespace: job.meta.namespace, name: job.meta.name, body: RequestBody(value: object),
                                      options: WriteOptions()).object
            rt.jobWrites.wrote(job.meta.key, stored)
        } catch {
            if error.isNotFound { return }
            throw error
        }
    }
}
