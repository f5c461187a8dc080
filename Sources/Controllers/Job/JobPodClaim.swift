import APIMachinery
import Registry

extension JobController {
    /// getPodsForJob (ClaimPods): the Job's pods are those it controls that its selector still
    /// selects; an orphan it selects is adopted (not while the Job is being deleted), and a pod
    /// it controls that no longer matches is released; the tracking finalizer comes and goes with
    /// the controller reference. With a generated selector only the Job's own pods ever match;
    /// with `manualSelector` this is how existing pods join a Job.
    static func claimPods(_ job: JobView, _ key: String, _ rt: Runtime) throws -> [JobPod] {
        let selector = job.selector
        let uid = job.meta.uid
        var claimed: [JobPod] = []
        for pod in rt.pods.owned(by: uid) where pod.meta.controllerRef?.uid == uid {
            if selector.matches(pod.meta.labels) {
                claimed.append(JobPod(object: pod))
            } else if !job.meta.isBeingDeleted,
                      let released = try rewriteOwners(pod, pod.meta.ownerReferences.filter { $0.uid != uid }, tracked: false, rt) {
                rt.writes.wrote(key, released)
            }
        }
        guard !job.meta.isBeingDeleted, !selector.isEmpty, !selector.matchesNothing else { return claimed }
        for pod in rt.pods.uncontrolled(namespace: job.meta.namespace)
        where selector.matches(pod.meta.labels) && !PodView(pod).isTerminal && !pod.meta.isBeingDeleted {
            let reference = OwnerReferenceView(apiVersion: "batch/v1", kind: "Job", name: job.meta.name, uid: uid,
                                               controller: true, blockOwnerDeletion: true)
            if let adopted = try rewriteOwners(pod, pod.meta.ownerReferences + [reference], tracked: true, rt) {
                rt.writes.wrote(key, adopted)
                claimed.append(JobPod(object: adopted))
            }
        }
        return claimed
    }

    /// The pod with `refs` as its owner references; nil when it is gone or changed meanwhile
    /// (the change brings the Job back).
    static func rewriteOwners(_ pod: JSON, _ refs: [OwnerReferenceView], tracked: Bool, _ rt: Runtime) throws -> JSON? {
        var finalizers = pod.meta.finalizers.filter { $0 != trackingFinalizer }
        if tracked { finalizers.append(trackingFinalizer) }
        let patch = PodClaim.ownersPatch(pod, refs: refs, finalizers: finalizers)
        do {
            return try rt.context.client(pods).patch(namespace: pod.meta.namespace, name: pod.meta.name, type: .merge,
                                                    patch: RequestBody(value: patch)).object
        } catch {
            if error.isNotFound || error.isConflict || error.isInvalid { return nil }
            throw error
        }
    }
}
