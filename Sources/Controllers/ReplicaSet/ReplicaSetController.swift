import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Synchronization

/// The ReplicaSet controller (pkg/controller/replicaset): keeps each ReplicaSet's pod count at
/// `spec.replicas`, adopting and releasing pods by selector, and writes its status. Informer
/// handlers only enqueue the owning set's `namespace/name`; workers run `sync` for one set at a time.
/// With `kind: .replicationController` it is upstream's replication manager.
public struct ReplicaSetController: Controller {
    public var name: String { kind.controllerName }
    let workers: Int
    let kind: ReplicatedKind
    private let runtime = RuntimeBox()

    public init(workers: Int = 2, kind: ReplicatedKind = .replicaSet) {
        self.workers = max(1, workers)
        self.kind = kind
    }

    static let pods = GroupResource(group: "", resource: "pods")
    /// Upstream's burstReplicas: at most this many pods created or deleted in one sync.
    static let burstReplicas = 500

    final class Runtime: Sendable {
        let context: ControllerContext
        let kind: ReplicatedKind
        let queue: WorkQueue<String>
        let sets: Informer
        let pods: Informer
        let writes = OwnedWrites()
        /// Each pod's facts, grouped by controller, changed with the pod cache.
        let podFacts: ControllerIndex<PodFacts>

        init(context: ControllerContext, kind: ReplicatedKind) {
            self.context = context
            self.kind = kind
            queue = WorkQueue(name: kind.queueName, timers: context.timers)
            sets = context.informer(kind.resource)
            pods = context.informer(ReplicaSetController.pods)
            podFacts = pods.index(PodFacts.indexName) { ControllerIndex { PodFacts(stored: $0) } }
        }
    }

    final class RuntimeBox: Sendable {
        let value = Mutex<Runtime?>(nil)
    }

    var current: Runtime? { runtime.value.withLock { $0 } }

    /// True when no set waits in the queue and none is being synced (for tests).
    var isIdle: Bool { current?.queue.isIdle ?? true }

    public func register(_ context: ControllerContext) {
        let rt = Runtime(context: context, kind: kind)
        runtime.value.withLock { $0 = rt }
        rt.sets.addHandler(Informer.Handler(
            added: { rt.queue.add($0.meta.key) },
            updated: { _, new in rt.queue.add(new.meta.key) },
            deleted: { rt.queue.add($0.meta.key) }))
        rt.pods.addHandler(Informer.Handler(
            added: { Self.podAdded($0, rt) },
            updated: { Self.podUpdated($0, $1, rt) },
            deleted: { Self.podDeleted($0, rt) }))
    }

    public func start(_ context: ControllerContext) {
        guard let rt = current else { return }
        rt.queue.run(workers: workers, logger: rt.context.logger) { key in try WriteConflict.requeueing { try Self.sync(key, rt) } }
    }

    // MARK: handlers (replica_set.go addPod, updatePod, deletePod)

    /// resolveControllerRef: the set a controller reference names, if it is still that set.
    static func resolve(_ ref: OwnerReferenceView, namespace: String, _ rt: Runtime) -> JSON? {
        guard ref.kind == rt.kind.owner.kind, let set = rt.sets.get(namespace: namespace, name: ref.name),
              set.meta.uid == ref.uid else { return nil }
        return set
    }

    /// getPodReplicaSets: sets in the pod's namespace whose selector selects its labels.
    static func selectingSets(_ pod: JSON, _ rt: Runtime) -> [JSON] {
        let labels = pod.meta.labels
        return rt.sets.list(namespace: pod.meta.namespace).filter { set in
            let selector = ReplicaSetView(set).selector
            return !selector.isEmpty && selector.matches(labels)
        }
    }

    static func podAdded(_ pod: JSON, _ rt: Runtime) {
        if pod.meta.isBeingDeleted { podDeleted(pod, rt); return }
        if let ref = pod.meta.controllerRef {
            if let set = resolve(ref, namespace: pod.meta.namespace, rt) { rt.queue.add(set.meta.key) }
            return
        }
        for set in selectingSets(pod, rt) { rt.queue.add(set.meta.key) }
    }

    static func podUpdated(_ old: JSON, _ pod: JSON, _ rt: Runtime) {
        if old.meta.resourceVersion == pod.meta.resourceVersion { return }
        let oldRef = old.meta.controllerRef
        let ref = pod.meta.controllerRef
        if oldRef != ref, let oldRef, let set = resolve(oldRef, namespace: old.meta.namespace, rt) {
            rt.queue.add(set.meta.key)
        }
        if let ref {
            guard let set = resolve(ref, namespace: pod.meta.namespace, rt) else { return }
            rt.queue.add(set.meta.key)
            // A pod that just became ready turns available after minReadySeconds: look again then.
            let minReady = ReplicaSetView(set).minReadySeconds
            if minReady > 0, !PodView(old).isReady, PodView(pod).isReady {
                rt.queue.addAfter(set.meta.key, .seconds(minReady + 1))
            }
            return
        }
        if old.meta.labels != pod.meta.labels || oldRef != ref {
            for set in selectingSets(pod, rt) { rt.queue.add(set.meta.key) }
        }
    }

    static func podDeleted(_ pod: JSON, _ rt: Runtime) {
        guard let ref = pod.meta.controllerRef, let set = resolve(ref, namespace: pod.meta.namespace, rt) else { return }
        rt.queue.add(set.meta.key)
    }
}
