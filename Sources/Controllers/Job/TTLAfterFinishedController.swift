import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Synchronization

/// The TTL-after-finished controller (pkg/controller/ttlafterfinished): a finished Job with
/// `spec.ttlSecondsAfterFinished` is deleted (foreground, so its pods go first) once that long has
/// passed since its Complete or Failed condition, on the injected clock.
public struct TTLAfterFinishedController: Controller {
    public let name = "ttl-after-finished-controller"
    private let runtime = RuntimeBox()

    public init() {}

    final class Runtime: Sendable {
        let context: ControllerContext
        let queue: WorkQueue<String>
        let jobs: Informer
        init(context: ControllerContext) {
            self.context = context
            queue = WorkQueue(name: "ttl_jobs_to_delete", timers: context.timers)
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
        let enqueue: @Sendable (JSON) -> Void = { job in
            let view = JobView(job)
            if view.ttlSecondsAfterFinished != nil, view.isFinished, !view.meta.isBeingDeleted { rt.queue.add(view.meta.key) }
        }
        rt.jobs.addHandler(Informer.Handler(added: enqueue, updated: { _, new in enqueue(new) }))
    }

    public func start(_ context: ControllerContext) {
        guard let rt = current else { return }
        rt.queue.run(workers: 1, logger: rt.context.logger) { key in try Self.sync(key, rt) }
    }

    /// processJob: wait until the TTL has passed, then check the Job as stored (it may have
    /// changed) and delete it with preconditions, so a Job that was replaced meanwhile stays.
    static func sync(_ key: String, _ rt: Runtime) throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let cached = rt.jobs.get(namespace: parts[0], name: parts[1]) else { return }
        let now = rt.context.timers.now()
        guard let remaining = Self.remaining(JobView(cached), now: now) else { return }
        if remaining > 0 {
            rt.queue.addAfter(key, .milliseconds(Int64(remaining * 1000) + 1))
            return
        }
        let store = rt.context.client(JobController.jobs)
        guard let fresh = try? store.get(namespace: parts[0], name: parts[1]).object,
              let freshRemaining = Self.remaining(JobView(fresh), now: now), freshRemaining <= 0 else { return }
        var options = DeleteOptions()
        options.propagationPolicy = .foreground
        options.preconditionUID = fresh.meta.uid
        options.preconditionResourceVersion = fresh.meta.resourceVersion
        do {
            _ = try store.delete(namespace: parts[0], name: parts[1], options: options)
        } catch {
            if error.isNotFound || error.isConflict { return }
            throw error
        }
    }

    /// Seconds until the Job expires (≤ 0: expired); nil when it has no TTL or has not finished.
    static func remaining(_ job: JobView, now: Date) -> TimeInterval? {
        guard let ttl = job.ttlSecondsAfterFinished, !job.meta.isBeingDeleted, let finished = job.finishTime else { return nil }
        return finished.addingTimeInterval(TimeInterval(ttl)).timeIntervalSince(now)
    }
}
