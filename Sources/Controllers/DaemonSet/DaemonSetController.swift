import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Synchronization

/// The DaemonSet controller (pkg/controller/daemon): one daemon pod on every node the set's
/// template fits (nodeSelector, node affinity, taints against the daemon tolerations), pinned
/// through node affinity and bound by the default scheduler; RollingUpdate within maxUnavailable,
/// or OnDelete; ControllerRevisions for history; status. Handlers only enqueue `namespace/name`.
public struct DaemonSetController: Controller {
    public let name = "daemonset-controller"
    let workers: Int
    private let runtime = RuntimeBox()

    public init(workers: Int = 2) { self.workers = max(1, workers) }

    static let daemonSets = GroupResource(group: "apps", resource: "daemonsets")
    static let pods = GroupResource(group: "", resource: "pods")
    static let nodes = GroupResource(group: "", resource: "nodes")
    static let revisions = GroupResource(group: "apps", resource: "controllerrevisions")
    /// Upstream's BurstReplicas: at most this many pods created or deleted in one sync.
    static let burstReplicas = 250

    final class Runtime: Sendable {
        let context: ControllerContext
        let queue: WorkQueue<String>
        let sets: Informer
        let pods: Informer
        let nodes: Informer
        let revisions: Informer
        let writes = OwnedWrites()
        let podFacts = PodFactsCache()
        let failedPods = FailedPodBackoff()

        init(context: ControllerContext) {
            self.context = context
            queue = WorkQueue(name: "daemonset", timers: context.timers)
            sets = context.informer(DaemonSetController.daemonSets)
            pods = context.informer(DaemonSetController.pods)
            nodes = context.informer(DaemonSetController.nodes)
            revisions = context.informer(DaemonSetController.revisions)
        }

        var history: DaemonSetHistory { DaemonSetHistory(informer: revisions, store: context.client(DaemonSetController.revisions)) }
    }

    final class RuntimeBox: Sendable {
        let value = Mutex<Runtime?>(nil)
    }

    var current: Runtime? { runtime.value.withLock { $0 } }

    public func register(_ context: ControllerContext) {
        let rt = Runtime(context: context)
        runtime.value.withLock { $0 = rt }
        rt.sets.addHandler(Informer.Handler(
            added: { rt.queue.add($0.meta.key) },
            updated: { _, new in rt.queue.add(new.meta.key) },
            deleted: { rt.writes.forget($0.meta.key); rt.queue.add($0.meta.key) }))
        rt.pods.addHandler(Informer.Handler(
            added: { Self.podChanged($0, rt) },
            updated: { old, new in
                if old.meta.controllerRef != new.meta.controllerRef { Self.podChanged(old, rt) }
                Self.podChanged(new, rt)
                // A pod that just became ready turns available after minReadySeconds: look again then.
                if !PodView(old).isReady, PodView(new).isReady, let set = Self.owner(of: new, rt) {
                    let minReady = DaemonSetView(set).minReadySeconds
                    if minReady > 0 { rt.queue.addAfter(set.meta.key, .seconds(minReady + 1)) }
                }
            },
            deleted: { rt.podFacts.forget($0); Self.podChanged($0, rt) }))
        // A node added, relabelled, tainted or removed can change where every set should run.
        let allSets: @Sendable (JSON) -> Void = { _ in for set in rt.sets.list() { rt.queue.add(set.meta.key) } }
        rt.nodes.addHandler(Informer.Handler(
            added: allSets,
            updated: { old, new in
                if old.meta.labels != new.meta.labels || old["spec"] != new["spec"] { allSets(new) }
            },
            deleted: allSets))
    }

    public func start(_ context: ControllerContext) {
        guard let rt = current else { return }
        rt.queue.run(workers: workers, logger: rt.context.logger) { key in try WriteConflict.requeueing { try Self.sync(key, rt) } }
    }

    /// The set controlling a pod, if the reference still names it.
    static func owner(of pod: JSON, _ rt: Runtime) -> JSON? {
        guard let ref = pod.meta.controllerRef, ref.kind == "DaemonSet",
              let set = rt.sets.get(namespace: pod.meta.namespace, name: ref.name), set.meta.uid == ref.uid else { return nil }
        return set
    }

    /// A controlled pod wakes its set; an orphan wakes every set that selects it (for adoption).
    static func podChanged(_ pod: JSON, _ rt: Runtime) {
        if pod.meta.controllerRef != nil {
            if let set = owner(of: pod, rt) { rt.queue.add(set.meta.key) }
            return
        }
        for set in rt.sets.list(namespace: pod.meta.namespace) {
            let selector = DaemonSetView(set).selector
            if !selector.isEmpty, selector.matches(pod.meta.labels) { rt.queue.add(set.meta.key) }
        }
    }
}
