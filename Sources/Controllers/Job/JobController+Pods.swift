import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension JobController {
    /// manageJob: as many pods running as the Job still needs (at most parallelism), the surplus
    /// deleted; new pods wait out the failure backoff. Returns the pods now active.
    static func manage(_ job: JobView, _ active: [JobPod], _ pods: [JobPod], _ draft: inout JobStatusDraft,
                       _ key: String, _ rt: Runtime, now: Date) throws -> [JobPod] {
        // With podReplacementPolicy Failed a terminating pod still holds its place.
        let holding = job.replacesOnlyFailedPods ? pods.filter(\.isTerminating) : []
        var active = active
        var toCreate: [Int?] = []
        var failures: [Int: (counted: Int, ignored: Int)] = [:]
        if job.isIndexed {
            let completions = job.completions ?? 0
            let failed = draft.failedIndexes ?? []
            var running = Set<Int>()
            var keep: [JobPod] = [], surplus: [JobPod] = []
            for pod in active.sorted(by: { ($0.index ?? Int.max) < ($1.index ?? Int.max) }) {
                if let i = pod.index, i < completions, !draft.completedIndexes.contains(i), !failed.contains(i), running.insert(i).inserted {
                    keep.append(pod)
                } else {
                    surplus.append(pod)
                }
            }
            let wantActive = max(0, min(job.parallelism, completions - draft.completedIndexes.count - failed.count))
            if keep.count > wantActive { surplus += keep.suffix(keep.count - wantActive); keep.removeLast(keep.count - wantActive) }
            draft.terminating += try deletePods(surplus, job, key, rt)
            active = keep
            let taken = running.union(draft.completedIndexes).union(failed).union(holding.compactMap(\.index))
            let free = max(0, wantActive - active.count - holding.count)
            var candidates: [Int] = (0..<completions).filter { !taken.contains($0) }
            if job.backoffLimitPerIndex != nil {
                // Each index waits out its own backoff, from its last failure.
                var ready: [Int] = []
                var soonest: TimeInterval?
                for index in candidates {
                    let (counts, wait) = indexFailures(index, job, pods, now: now)
                    failures[index] = counts
                    if wait > 0 { soonest = min(soonest ?? wait, wait); continue }
                    ready.append(index)
                }
                if let soonest { rt.queue.addAfter(key, .milliseconds(Int64(soonest * 1000) + 1)) }
                candidates = ready
            }
            toCreate = candidates.prefix(free).map { Optional($0) }
        } else {
            let wantActive: Int
            if let completions = job.completions {
                wantActive = max(0, min(job.parallelism, completions - draft.succeeded))
            } else {
                // A work queue: once one pod succeeded, the others finish on their own.
                wantActive = draft.succeeded > 0 ? active.count : job.parallelism
            }
            let counted = active.count + holding.count
            if counted > wantActive {
                let surplus = Array(deletionOrder(active).prefix(min(counted - wantActive, active.count)))
                draft.terminating += try deletePods(surplus, job, key, rt)
                let gone = Set(surplus.map(\.uid))
                active.removeAll { gone.contains($0.uid) }
            } else if counted < wantActive {
                toCreate = Array(repeating: nil, count: wantActive - counted)
            }
        }
        guard !toCreate.isEmpty else { return active }
        let wait = job.backoffLimitPerIndex == nil ? rt.backoff.remaining(key, now: now) : 0
        if wait > 0 {
            rt.queue.addAfter(key, .milliseconds(Int64(wait * 1000) + 1))
            return active
        }
        let store = rt.context.client(JobController.pods)
        for index in toCreate.prefix(burst) {
            let pod = JobPods.pod(for: job, index: index, failures: index.flatMap { failures[$0] } ?? (0, 0))
            do {
                let created = try store.create(namespace: job.meta.namespace, body: RequestBody(value: pod), options: WriteOptions()).object
                rt.writes.wrote(key, created)
                active.append(JobPod(object: created))
                event(job, .normal, "SuccessfulCreate", "Created pod: \(created.meta.name)", rt)
            } catch {
                event(job, .warning, "FailedCreate", "Error creating: \(error)", rt)
                throw error
            }
        }
        return active
    }

    /// getNewIndexFailureCounts: an index's failures so far, from its latest finished pod (its own
    /// counts plus its failure, counted or ignored by the pod failure policy), and how long the
    /// index still backs off after that failure.
    static func indexFailures(_ index: Int, _ job: JobView, _ pods: [JobPod], now: Date) -> ((counted: Int, ignored: Int), TimeInterval) {
        guard let latest = pods.filter({ $0.index == index && ($0.isTerminal || $0.isDeleting) })
            .max(by: { $0.creationTimestamp < $1.creationTimestamp }) else { return ((0, 0), 0) }
        var counted = latest.indexFailureCount, ignored = latest.indexIgnoredFailureCount
        guard latest.isFailed(replacesOnlyFailed: job.replacesOnlyFailedPods) else { return ((counted, ignored), 0) }
        let policy = PodFailurePolicy(job)
        if let policy, latest.view.phase == "Failed", !policy.match(latest).countsAsFailed {
            ignored += 1
            return ((counted, ignored), 0)
        }
        counted += 1
        let due = latest.finishTime(now: now).addingTimeInterval(JobBackoffStore.delay(failures: counted))
        return ((counted, ignored), max(0, due.timeIntervalSince(now)))
    }

    /// Pods to remove first: unscheduled, then not running, then not ready (upstream's ActivePods order, briefly).
    static func deletionOrder(_ pods: [JobPod]) -> [JobPod] {
        func rank(_ pod: JobPod) -> Int {
            if !pod.view.isScheduled { return 0 }
            if pod.view.phase != "Running" { return 1 }
            return pod.view.isReady ? 3 : 2
        }
        return pods.sorted { (rank($0), $1.name) < (rank($1), $0.name) }
    }

    /// Deletes pods with upstream's events; one already gone is skipped. Returns how many are now
    /// terminating (marked, not yet removed).
    @discardableResult
    static func deletePods(_ victims: [JobPod], _ job: JobView, _ key: String, _ rt: Runtime) throws -> Int {
        let store = rt.context.client(JobController.pods)
        var terminating = 0
        for pod in victims.prefix(burst) {
            do {
                switch try store.delete(namespace: job.meta.namespace, name: pod.name, options: DeleteOptions()) {
                case .deleted(let object): rt.writes.wrote(key, object)
                case .marked(let object):
                    rt.writes.wrote(key, object)
                    terminating += 1
                }
                event(job, .normal, "SuccessfulDelete", "Deleted pod: \(pod.name)", rt)
            } catch {
                if error.isNotFound { continue }
                event(job, .warning, "FailedDelete", "Error deleting: \(error)", rt)
                throw error
            }
        }
        return terminating
    }
}
