import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension JobController {
    /// syncJob: count the pods that finished (through the tracking finalizer), then suspend or
    /// resume, decide whether the Job has failed or succeeded, run or remove pods, and write the
    /// status; a finished Job only releases its pods' finalizers.
    static func sync(_ key: String, _ rt: Runtime) throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let json = rt.jobs.get(namespace: parts[0], name: parts[1]) else {
            rt.writes.forget(key)
            rt.jobWrites.forget(key)
            rt.backoff.forget(key)
            return
        }
        if let lag = rt.writes.staleness(key, cache: rt.pods) { throw lag }
        if let lag = rt.jobWrites.staleness(key, cache: rt.jobs) { throw lag }
        let job = JobView(json)
        // A Job another controller manages (spec.managedBy) is left alone.
        if let managedBy = job.managedBy, managedBy != "kubernetes.io/job-controller" { return }
        if job.isFinished || job.meta.isBeingDeleted {
            let selector = job.selector
            let pods = rt.pods.owned(by: job.meta.uid).filter { selector.matches($0.meta.labels) }.map(JobPod.init)
            for pod in pods where pod.hasTrackingFinalizer { try removeFinalizer(pod, key, rt) }
            return
        }
        let pods = try claimPods(job, key, rt)
        let now = rt.context.timers.now()
        var draft = JobStatusDraft(job)
        var stored = json
        // getFailJobMessage: read before counting releases the pods' finalizers.
        let failJobMessage = PodFailurePolicy(job).flatMap { policy in
            pods.lazy.filter { $0.hasTrackingFinalizer && $0.view.phase == "Failed" }.compactMap { policy.match($0).failJobMessage }.first
        }
        try countFinishedPods(pods, job, &draft, &stored, key, rt, now: now)

        var active = pods.filter(\.isActive)
        draft.terminating = pods.filter(\.isTerminating).count
        if draft.startTime == nil, !job.isSuspended { draft.startTime = Timestamp.format(now) }

        let targetReached = draft.has("FailureTarget") || draft.has("SuccessCriteriaMet")
        if job.isSuspended, !targetReached {
            if !draft.has("Suspended") {
                draft.set("Suspended", "True", reason: "JobSuspended", message: "Job suspended", now: now)
                draft.events.append((.normal, "Suspended", "Job suspended"))
            }
            draft.terminating += try deletePods(active, job, key, rt)
            active = []
        } else if draft.has("Suspended") {
            draft.set("Suspended", "False", reason: "JobResumed", message: "Job resumed", now: now)
            draft.events.append((.normal, "Resumed", "Job resumed"))
            // A resumed Job's deadline counts from its resumption, and the pods the suspension
            // deleted (counted as failed, as upstream counts deleted pods) are no failure to wait out.
            draft.startTime = Timestamp.format(now)
            rt.backoff.forget(key)
        }

        if !job.isSuspended || targetReached {
            if !targetReached, let failJobMessage {
                draft.set("FailureTarget", "True", reason: "PodFailurePolicy", message: failJobMessage, now: now)
            }
            if !targetReached, !draft.has("FailureTarget") { decideFailure(job, active, &draft, now: now) }
            if !targetReached, !draft.has("FailureTarget"), let matched = SuccessPolicy.match(job, completed: draft.completedIndexes) {
                draft.set("SuccessCriteriaMet", "True", reason: "SuccessPolicy", message: matched, now: now)
            }
            if draft.has("FailureTarget") || draft.has("SuccessCriteriaMet") {
                draft.terminating += try deletePods(active, job, key, rt)
                active = []
            } else {
                active = try manage(job, active, pods, &draft, key, rt, now: now)
                if isComplete(job, draft, active: active.count) {
                    draft.set("SuccessCriteriaMet", "True", reason: "CompletionsReached",
                              message: "Reached expected number of succeeded pods", now: now)
                }
            }
            finishIfSettled(job, active: active.count, &draft, rt, now: now)
        }
        draft.active = active.count
        draft.ready = active.filter { $0.view.isReady }.count
        try writeStatus(draft, job, &stored, rt)
        for e in draft.events { event(job, e.type, e.reason, e.message, rt) }
        if let deadline = job.activeDeadlineSeconds, !job.isSuspended, !draft.has("Complete"), !draft.has("Failed"),
           let start = draft.startTime.flatMap(Timestamp.parse) {
            let remaining = start.addingTimeInterval(TimeInterval(deadline)).timeIntervalSince(now)
            if remaining > 0 { rt.queue.addAfter(key, .milliseconds(Int64(remaining * 1000) + 1)) }
        }
    }

    /// The failure conditions, in upstream's order: more failures than backoffLimit (or, with
    /// restartPolicy OnFailure, as many container restarts), then activeDeadlineSeconds.
    static func decideFailure(_ job: JobView, _ active: [JobPod], _ draft: inout JobStatusDraft, now: Date) {
        if draft.failed > job.backoffLimit || pastBackoffLimitOnFailure(job, active) {
            draft.set("FailureTarget", "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", now: now)
        } else if let deadline = job.activeDeadlineSeconds, let start = draft.startTime.flatMap(Timestamp.parse),
                  now.timeIntervalSince(start) >= TimeInterval(deadline) {
            draft.set("FailureTarget", "True", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline", now: now)
        } else if let failed = draft.failedIndexes {
            if let max = job.maxFailedIndexes, failed.count > max {
                draft.set("FailureTarget", "True", reason: "MaxFailedIndexesExceeded",
                          message: "Job has exceeded the specified maximal number of failed indexes", now: now)
            } else if !failed.isEmpty, failed.count + draft.completedIndexes.count >= (job.completions ?? 0) {
                draft.set("FailureTarget", "True", reason: "FailedIndexes", message: "Job has failed indexes", now: now)
            }
        }
    }

    /// pastBackoffLimitOnFailure: restarts of running or pending pods' containers.
    static func pastBackoffLimitOnFailure(_ job: JobView, _ active: [JobPod]) -> Bool {
        guard job.restartPolicy == "OnFailure" else { return false }
        let restarts = active.filter { $0.view.phase == "Running" || $0.view.phase == "Pending" || $0.view.phase == nil }
            .reduce(0) { $0 + $1.restarts }
        return job.backoffLimit == 0 ? restarts > 0 : restarts >= job.backoffLimit
    }

    /// Complete once the completions succeeded (any one success for a Job without completions)
    /// and no pod is left running.
    static func isComplete(_ job: JobView, _ draft: JobStatusDraft, active: Int) -> Bool {
        guard active == 0 else { return false }
        if job.isIndexed { return draft.completedIndexes.count >= (job.completions ?? 0) }
        guard let completions = job.completions else { return draft.succeeded > 0 }
        return draft.succeeded >= completions
    }

    /// The terminal condition follows FailureTarget or SuccessCriteriaMet once no pod runs or
    /// terminates (1.32 delays it so), with its event; Complete also sets completionTime.
    static func finishIfSettled(_ job: JobView, active: Int, _ draft: inout JobStatusDraft, _ rt: Runtime, now: Date) {
        guard active == 0, draft.terminating == 0, draft.uncountedSucceeded.isEmpty, draft.uncountedFailed.isEmpty else { return }
        if let target = draft.condition("FailureTarget"), draft.has("FailureTarget"), !draft.has("Failed") {
            let reason = target["reason"]?.stringValue ?? "", message = target["message"]?.stringValue ?? ""
            draft.set("Failed", "True", reason: reason, message: message, now: now)
            draft.events.append((.warning, reason, message))
        } else if let target = draft.condition("SuccessCriteriaMet"), draft.has("SuccessCriteriaMet"), !draft.has("Complete") {
            draft.set("Complete", "True", reason: target["reason"]?.stringValue ?? "", message: target["message"]?.stringValue ?? "", now: now)
            draft.completionTime = Timestamp.format(now)
            draft.events.append((.normal, "Completed", "Job completed"))
        }
    }

    static func event(_ job: JobView, _ type: EventRecorder.EventType, _ reason: String, _ message: String, _ rt: Runtime) {
        rt.context.events.record(job.object, type: type, reason: reason, message: message, component: component)
    }
}
