import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Synchronization

/// The Deployment controller (pkg/controller/deployment): one ReplicaSet per pod template,
/// named `<deployment>-<pod-template-hash>`, scaled by the RollingUpdate or Recreate strategy,
/// old ones cleaned beyond revisionHistoryLimit, and the Progressing and Available conditions.
/// Informer handlers only enqueue the deployment's `namespace/name`.
public struct DeploymentController: Controller {
    public let name = "deployment-controller"
    let workers: Int
    private let runtime = RuntimeBox()

    public init(workers: Int = 2) { self.workers = max(1, workers) }

    static let deployments = GroupResource(group: "apps", resource: "deployments")
    static let replicaSets = GroupResource(group: "apps", resource: "replicasets")
    static let pods = GroupResource(group: "", resource: "pods")
    static let component = "deployment-controller"

    final class Runtime: Sendable {
        let context: ControllerContext
        let queue: WorkQueue<String>
        let deployments: Informer
        let sets: Informer
        let pods: Informer
        /// This controller's ReplicaSet writes, so a sync never counts revisions on a cache without them.
        let writes = OwnedWrites()

        init(context: ControllerContext) {
            self.context = context
            queue = WorkQueue(name: "deployment", timers: context.timers)
            deployments = context.informer(DeploymentController.deployments)
            sets = context.informer(DeploymentController.replicaSets)
            pods = context.informer(DeploymentController.pods)
        }
    }

    final class RuntimeBox: Sendable {
        let value = Mutex<Runtime?>(nil)
    }

    var current: Runtime? { runtime.value.withLock { $0 } }

    /// True when no deployment waits in the queue and none is being synced (for tests).
    var isIdle: Bool { current?.queue.isIdle ?? true }

    public func register(_ context: ControllerContext) {
        let rt = Runtime(context: context)
        runtime.value.withLock { $0 = rt }
        rt.deployments.addHandler(Informer.Handler(
            added: { rt.queue.add($0.meta.key) },
            updated: { _, new in rt.queue.add(new.meta.key) },
            deleted: { rt.queue.add($0.meta.key) }))
        rt.sets.addHandler(Informer.Handler(
            added: { Self.replicaSetChanged(nil, $0, rt) },
            updated: { Self.replicaSetChanged($0, $1, rt) },
            deleted: { Self.replicaSetChanged(nil, $0, rt) }))
        rt.pods.addHandler(Informer.Handler(deleted: { Self.podDeleted($0, rt) }))
    }

    public func start(_ context: ControllerContext) {
        guard let rt = current else { return }
        rt.queue.run(workers: workers, logger: rt.context.logger) { key in try WriteConflict.requeueing { try Self.sync(key, rt) } }
    }

    // MARK: handlers (deployment_controller.go addReplicaSet, updateReplicaSet, deleteReplicaSet, deletePod)

    static func resolve(_ ref: OwnerReferenceView, namespace: String, _ rt: Runtime) -> JSON? {
        guard ref.kind == "Deployment", let d = rt.deployments.get(namespace: namespace, name: ref.name),
              d.meta.uid == ref.uid else { return nil }
        return d
    }

    /// A ReplicaSet's owner (old and new owner when the reference changed), or for an orphan every
    /// deployment whose selector selects it, is synced again.
    static func replicaSetChanged(_ old: JSON?, _ set: JSON, _ rt: Runtime) {
        if let old, old.meta.resourceVersion == set.meta.resourceVersion { return }
        if let oldRef = old?.meta.controllerRef, oldRef != set.meta.controllerRef,
           let d = resolve(oldRef, namespace: set.meta.namespace, rt) {
            rt.queue.add(d.meta.key)
        }
        if let ref = set.meta.controllerRef {
            if let d = resolve(ref, namespace: set.meta.namespace, rt) { rt.queue.add(d.meta.key) }
            return
        }
        let labels = set.meta.labels
        for d in rt.deployments.list(namespace: set.meta.namespace) {
            let selector = DeploymentView(d).selector
            if !selector.isEmpty, selector.matches(labels) { rt.queue.add(d.meta.key) }
        }
    }

    /// A Recreate rollout waits for the old pods to be gone: each deletion wakes the deployment.
    static func podDeleted(_ pod: JSON, _ rt: Runtime) {
        guard let ref = pod.meta.controllerRef, ref.kind == "ReplicaSet",
              let set = rt.sets.get(namespace: pod.meta.namespace, name: ref.name), set.meta.uid == ref.uid,
              let owner = set.meta.controllerRef, let d = resolve(owner, namespace: set.meta.namespace, rt) else { return }
        if DeploymentView(d).strategyType == "Recreate" { rt.queue.add(d.meta.key) }
    }

    static func sync(_ key: String, _ rt: Runtime) throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let d = rt.deployments.get(namespace: parts[0], name: parts[1]) else {
            rt.writes.forget(key)
            return
        }
        if let lag = rt.writes.staleness(key, cache: rt.sets) { throw lag }
        var sync = DeploymentSync(d, rt)
        try sync.run()
    }
}
