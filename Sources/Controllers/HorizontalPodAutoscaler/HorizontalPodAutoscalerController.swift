import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Synchronization

/// kube-controller-manager's horizontal-pod-autoscaler (pkg/controller/podautoscaler): every
/// resync period (15 s, on the injected clock) each HPA is reconciled: the target's `scale` is
/// read, the Resource and ContainerResource metrics (Utilization or AverageValue targets) are read
/// from `metrics.k8s.io` and turned into a replica count (`ReplicaCalculator`), which is
/// stabilized and rate-limited (`ReplicaNormalizer`), written to the target's `scale`, and the
/// HPA's status (replicas, current metrics, lastScaleTime, the AbleToScale, ScalingActive and
/// ScalingLimited conditions) and events say what happened, in upstream's words.
public final class HorizontalPodAutoscalerController: Controller, Sendable {
    public let name = "horizontal-pod-autoscaler"
    static let autoscalers = GroupResource(group: "autoscaling", resource: "horizontalpodautoscalers")
    static let pods = GroupResource(group: "", resource: "pods")
    static let component = "horizontal-pod-autoscaler"

    /// --horizontal-pod-autoscaler-sync-period.
    let resyncPeriod: Duration
    let calculator: ReplicaCalculator
    let normalizer: ReplicaNormalizer
    let histories = Mutex<[String: ScalingHistory]>([:])
    /// Each HPA's target selector as last parsed (upstream's hpaSelectors): pods two HPAs select
    /// make both ambiguous.
    let selectors = Mutex<[String: LabelSelectorQuery]>([:])
    /// Keys waiting for their resync (upstream's delaying queue keeps one entry per key).
    let scheduled = Mutex<Set<String>>([])
    let queue = QueueSlot()

    public convenience init(resyncPeriod: Duration = .seconds(15)) {
        self.init(resyncPeriod: resyncPeriod, calculator: ReplicaCalculator(), normalizer: ReplicaNormalizer())
    }

    init(resyncPeriod: Duration, calculator: ReplicaCalculator, normalizer: ReplicaNormalizer) {
        self.resyncPeriod = resyncPeriod; self.calculator = calculator; self.normalizer = normalizer
    }

    public func register(_ context: ControllerContext) {
        let queue = WorkQueue<String>(name: "horizontalpodautoscaler", timers: context.timers)
        self.queue.set(queue)
        _ = context.informer(Self.pods)
        // enqueueHPA adds rate-limited with a fixed interval: a new or changed HPA is looked at
        // within one resync period, not at once.
        context.informer(Self.autoscalers).addHandler(.init(
            added: { [self] in schedule($0.meta.key, context) },
            updated: { [self] _, new in schedule(new.meta.key, context) },
            deleted: { [self] in forget($0.meta.key) }))
    }

    public func start(_ context: ControllerContext) {
        guard let queue = queue.get() else { return }
        queue.run(workers: 1) { [self] key in
            let deleted = reconcileKey(key, context)
            if !deleted { schedule(key, context) }
        }
    }

    func schedule(_ key: String, _ context: ControllerContext) {
        guard scheduled.withLock({ $0.insert(key).inserted }) else { return }
        context.timers.after(resyncPeriod) { [self] in
            scheduled.withLock { _ = $0.remove(key) }
            queue.get()?.add(key)
        }
    }

    func forget(_ key: String) {
        histories.withLock { $0[key] = nil }
        selectors.withLock { $0[key] = nil }
    }

    /// reconcileKey: true when the HPA is gone (its history is dropped then).
    @discardableResult
    func reconcileKey(_ key: String, _ context: ControllerContext) -> Bool {
        let (namespace, name) = DisruptionController.splitKey(key)
        guard let hpa = context.informer(Self.autoscalers).get(namespace: namespace, name: name) else {
            forget(key)
            return true
        }
        do {
            try reconcile(hpa, key: key, context)
        } catch {
            context.logger.info("horizontal pod autoscaler", metadata: ["hpa": "\(key)", "error": "\(error)"])
        }
        return false
    }
}
