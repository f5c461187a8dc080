import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Synchronization

/// The StatefulSet controller (pkg/controller/statefulset): keeps each StatefulSet's pods,
/// claims, ControllerRevisions and status in line with its spec. Informer handlers only enqueue
/// the owning set's `namespace/name`; workers run `sync` for one set at a time.
public struct StatefulSetController: Controller {
    public let name = "statefulset-controller"
    let workers: Int
    private let runtime = RuntimeBox()

    public init(workers: Int = 2) { self.workers = max(1, workers) }

    static let statefulSets = GroupResource(group: "apps", resource: "statefulsets")
    static let pods = GroupResource(group: "", resource: "pods")
    static let claims = GroupResource(group: "", resource: "persistentvolumeclaims")
    static let revisions = GroupResource(group: "apps", resource: "controllerrevisions")

    /// What a registered controller works with; built once in `register`.
    final class Runtime: Sendable {
        let context: ControllerContext
        let queue: WorkQueue<String>
        let sets: Informer
        let pods: Informer
        let claims: Informer
        let revisions: Informer
        let control: StatefulSetControl
        let writes = StatefulSetWrites()

        init(context: ControllerContext) {
            self.context = context
            queue = WorkQueue(name: "statefulset", timers: context.timers)
            sets = context.informer(StatefulSetController.statefulSets)
            pods = context.informer(StatefulSetController.pods)
            claims = context.informer(StatefulSetController.claims)
            revisions = context.informer(StatefulSetController.revisions)
            let podControl = StatefulPodControl(pods: context.client(StatefulSetController.pods),
                                                claims: context.client(StatefulSetController.claims),
                                                claimCache: claims, events: context.events, writes: writes)
            let history = StatefulSetHistory(informer: revisions, store: context.client(StatefulSetController.revisions))
            control = StatefulSetControl(podControl: podControl, history: history,
                                         sets: context.client(StatefulSetController.statefulSets), timers: context.timers)
        }
    }

    final class RuntimeBox: Sendable {
        let value = Mutex<Runtime?>(nil)
    }

    var current: Runtime? { runtime.value.withLock { $0 } }

    /// True when no set waits in the queue and none is being synced (for tests and shutdown).
    var isIdle: Bool { current?.queue.isIdle ?? true }

    public func register(_ context: ControllerContext) {
        let rt = Runtime(context: context)
        runtime.value.withLock { $0 = rt }
        rt.sets.addHandler(Informer.Handler(
            added: { rt.queue.add($0.meta.key) },
            updated: { _, new in rt.queue.add(new.meta.key) },
            deleted: { rt.queue.add($0.meta.key) }))
        rt.pods.addHandler(Informer.Handler(
            added: { Self.podAdded($0, rt) },
            updated: { Self.podUpdated($0, $1, rt) },
            deleted: { Self.podDeleted($0, rt) }))
        rt.claims.addHandler(Informer.Handler(
            added: { Self.claimChanged($0, rt) },
            updated: { _, new in Self.claimChanged(new, rt) },
            deleted: { Self.claimChanged($0, rt) }))
        rt.revisions.addHandler(Informer.Handler(
            added: { Self.enqueueController(of: $0, rt) },
            updated: { _, new in Self.enqueueController(of: new, rt) },
            deleted: { Self.enqueueController(of: $0, rt) }))
    }

    public func start(_ context: ControllerContext) {
        guard let rt = current else { return }
        rt.queue.run(workers: workers, logger: rt.context.logger) { key in try Self.sync(key, rt) }
    }

    // MARK: handlers (stateful_set.go addPod, updatePod, deletePod)

    /// resolveControllerRef: the set a controller reference names, if it is still that set (same uid).
    static func resolve(_ ref: OwnerReferenceView, namespace: String, _ rt: Runtime) -> JSON? {
        guard ref.kind == "StatefulSet", case let name = ref.name,
              let set = rt.sets.get(namespace: namespace, name: name), set.meta.uid == ref.uid else { return nil }
        return set
    }

    /// getStatefulSetsForPod: sets in the pod's namespace whose selector selects its labels.
    static func selectingSets(_ object: JSON, _ rt: Runtime) -> [JSON] {
        let labels = object.meta.labels
        return rt.sets.list(namespace: object.meta.namespace).filter { set in
            let selector = StatefulSetObject(set).selector
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
            let minReady = StatefulSetObject(set).minReadySeconds
            if minReady > 0, !StatefulPod.isReady(old), StatefulPod.isReady(pod) {
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

    /// Claims are not watched upstream (only listed); here a change to a claim wakes the set that
    /// owns it, the set owning the pod that owns it, or the sets selecting its labels, so a claim
    /// deleted while its pod waits is noticed at once.
    static func claimChanged(_ claim: JSON, _ rt: Runtime) {
        var woke = false
        for ref in claim.meta.ownerReferences {
            if let set = resolve(ref, namespace: claim.meta.namespace, rt) { rt.queue.add(set.meta.key); woke = true }
            if ref.kind == "Pod", case let name = ref.name,
               let pod = rt.pods.get(namespace: claim.meta.namespace, name: name), let podRef = pod.meta.controllerRef,
               let set = resolve(podRef, namespace: pod.meta.namespace, rt) {
                rt.queue.add(set.meta.key); woke = true
            }
        }
        if !woke { for set in selectingSets(claim, rt) { rt.queue.add(set.meta.key) } }
    }

    static func enqueueController(of object: JSON, _ rt: Runtime) {
        guard let ref = object.meta.controllerRef, let set = resolve(ref, namespace: object.meta.namespace, rt) else { return }
        rt.queue.add(set.meta.key)
    }
}
