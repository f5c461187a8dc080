import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Synchronization

/// The CronJob controller (pkg/controller/cronjob, its v2): creates a Job for each scheduled time
/// on the injected clock, honouring the concurrency policy, the starting deadline, suspension and
/// the time zone; keeps `status.active`, `lastScheduleTime` and `lastSuccessfulTime`; removes
/// finished Jobs beyond the history limits. Each CronJob is looked at again just after its next
/// scheduled time.
public struct CronJobController: Controller {
    public let name = "cronjob-controller"
    private let runtime = RuntimeBox()

    public init() {}

    static let cronJobs = GroupResource(group: "batch", resource: "cronjobs")
    static let component = "cronjob-controller"
    /// Upstream's nextScheduleDelta: a CronJob is synced this long after its scheduled time.
    static let nextScheduleDelta: TimeInterval = 0.1
    /// The annotation a scheduled Job carries: its scheduled time in the CronJob's zone (RFC 3339).
    public static let scheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"

    final class Runtime: Sendable {
        let context: ControllerContext
        let queue: WorkQueue<String>
        let cronJobs: Informer
        let jobs: Informer
        let writes = OwnedWrites()
        /// The CronJobs' own status writes: a sync never starts from a CronJob older than its last
        /// write, which would not list the Job just created and create it again.
        let statusWrites = OwnedWrites()
        /// Jobs already reported as unexpected: upstream reports one at every sync, and its event
        /// recorder folds the repeats into one Event; this recorder does not fold, so once is enough.
        let reportedUnexpected = Mutex<Set<String>>([])

        init(context: ControllerContext) {
            self.context = context
            queue = WorkQueue(name: "cronjob", timers: context.timers)
            cronJobs = context.informer(CronJobController.cronJobs)
            jobs = context.informer(JobController.jobs)
        }
    }

    final class RuntimeBox: Sendable {
        let value = Mutex<Runtime?>(nil)
    }

    var current: Runtime? { runtime.value.withLock { $0 } }
    var isIdle: Bool { current?.queue.isIdle ?? true }

    public func register(_ context: ControllerContext) {
        let rt = Runtime(context: context)
        runtime.value.withLock { $0 = rt }
        rt.cronJobs.addHandler(Informer.Handler(
            added: { rt.queue.add($0.meta.key) },
            updated: { old, new in if old.meta.resourceVersion != new.meta.resourceVersion { rt.queue.add(new.meta.key) } },
            deleted: { rt.queue.add($0.meta.key) }))
        let enqueueOwner: @Sendable (JSON) -> Void = { job in
            guard let ref = job.meta.controllerRef, ref.kind == "CronJob" else { return }
            rt.queue.add("\(job.meta.namespace)/\(ref.name)")
        }
        rt.jobs.addHandler(Informer.Handler(
            added: enqueueOwner,
            updated: { old, new in if old.meta.resourceVersion != new.meta.resourceVersion { enqueueOwner(new) } },
            deleted: { job in
                _ = rt.reportedUnexpected.withLock { $0.remove(job.meta.uid) }
                enqueueOwner(job)
            }))
    }

    public func start(_ context: ControllerContext) {
        guard let rt = current else { return }
        rt.queue.run(workers: 1, logger: rt.context.logger) { key in try Self.sync(key, rt) }
    }
}
