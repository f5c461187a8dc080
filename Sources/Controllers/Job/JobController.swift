import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Synchronization

/// The Job controller (pkg/controller/job): runs a Job's pods from its template up to its
/// parallelism, counts them as they succeed or fail (through the `batch.kubernetes.io/job-tracking`
/// finalizer, so a removed pod is never lost or counted twice), backs off after failures, and
/// finishes the Job with upstream's conditions. Handlers only enqueue the owning Job's key.
public struct JobController: Controller {
    public let name = "job-controller"
    let workers: Int
    private let runtime = RuntimeBox()

    public init(workers: Int = 2) { self.workers = max(1, workers) }

    static let jobs = GroupResource(group: "batch", resource: "jobs")
    static let pods = GroupResource(group: "", resource: "pods")
    static let component = "job-controller"
    /// The finalizer every pod of a Job carries until the controller has counted it.
    public static let trackingFinalizer = "batch.kubernetes.io/job-tracking"
    /// Upstream's MaxPodCreateDeletePerSync.
    static let burst = 500

    final class Runtime: Sendable {
        let context: ControllerContext
        let queue: WorkQueue<String>
        /// Pods that keep the tracking finalizer without a Job to count them (its Job was deleted,
        /// or orphaned them): their finalizer goes (upstream's syncOrphanPod).
        let orphans: WorkQueue<String>
        let jobs: Informer
        let pods: Informer
        let writes = OwnedWrites()
        /// The Jobs' own status writes: a sync never starts from a Job older than its last write,
        /// which would count pods and record events again.
        let jobWrites = OwnedWrites()
        let backoff = JobBackoffStore()

        init(context: ControllerContext) {
            self.context = context
            queue = WorkQueue(name: "job", timers: context.timers)
            orphans = WorkQueue(name: "job_orphan_pod", timers: context.timers)
            jobs = context.informer(JobController.jobs)
            pods = context.informer(JobController.pods)
        }
    }

    final class RuntimeBox: Sendable {
        let value = Mutex<Runtime?>(nil)
    }

    var current: Runtime? { runtime.value.withLock { $0 } }

    /// True when no Job waits in the queue and none is being synced (for tests).
    var isIdle: Bool { (current?.queue.isIdle ?? true) && (current?.orphans.isIdle ?? true) }

    public func register(_ context: ControllerContext) {
        let rt = Runtime(context: context)
        runtime.value.withLock { $0 = rt }
        rt.jobs.addHandler(Informer.Handler(
            added: { rt.queue.add($0.meta.key) },
            updated: { _, new in rt.queue.add(new.meta.key) },
            deleted: { job in
                rt.backoff.forget(job.meta.key)
                rt.queue.add(job.meta.key)
                for pod in rt.pods.owned(by: job.meta.uid) where JobPod(object: pod).hasTrackingFinalizer {
                    rt.orphans.add(pod.meta.key)
                }
            }))
        let enqueueOwner: @Sendable (JSON) -> Void = { pod in
            let tracked = JobPod(object: pod).hasTrackingFinalizer
            guard let ref = pod.meta.controllerRef, ref.kind == "Job", ref.apiVersion.hasPrefix("batch/") else {
                if tracked { rt.orphans.add(pod.meta.key) }
                return
            }
            rt.queue.add("\(pod.meta.namespace)/\(ref.name)")
            if tracked, rt.jobs.get(namespace: pod.meta.namespace, name: ref.name)?.meta.uid != ref.uid {
                rt.orphans.add(pod.meta.key)
            }
        }
        rt.pods.addHandler(Informer.Handler(
            added: enqueueOwner,
            updated: { old, new in
                if old.meta.resourceVersion != new.meta.resourceVersion { enqueueOwner(new) }
            },
            deleted: enqueueOwner))
    }

    public func start(_ context: ControllerContext) {
        guard let rt = current else { return }
        rt.queue.run(workers: workers, logger: rt.context.logger) { key in try WriteConflict.requeueing { try Self.sync(key, rt) } }
        rt.orphans.run(workers: 1, logger: rt.context.logger) { key in try Self.syncOrphanPod(key, rt) }
    }
}
