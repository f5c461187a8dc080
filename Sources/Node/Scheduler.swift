import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Synchronization

/// The default scheduler, reduced to what a simulated cluster needs: every pending pod without a
/// node whose schedulerName is `default-scheduler` is bound (through `pods/binding`, as upstream)
/// to the feasible node with the most room left. A pod no node fits stays Pending with
/// PodScheduled=False (reason Unschedulable, upstream's message) and a FailedScheduling event, and
/// is tried again when nodes change or a pod leaves a node. Preemption is not simulated: the
/// message says what upstream says when no victim would help.
public final class Scheduler: Controller, @unchecked Sendable {
    public let name = "default-scheduler"
    public static let schedulerName = "default-scheduler"
    static let pods = GroupResource(group: "", resource: "pods")
    static let nodes = GroupResource(group: "", resource: "nodes")

    /// Set in `register`, before any handler can run; the queue uses the context's timers.
    private(set) var queue: WorkQueue<Informer.ObjectName>!
    /// Pods bound but not yet seen bound in the cache (upstream's assumed pods), by key → node.
    let assumed = Mutex<[Informer.ObjectName: (node: String, pod: JSON)]>([:])
    /// Per-node sums of the pods the informer shows on nodes.
    let nodeUsage = NodeOccupancy()
    /// The pods awaiting scheduling, kept by the pod handlers: what a cluster change retries
    /// (upstream's unschedulable queue), without scanning every pod on each pod that leaves a node.
    let awaiting = Mutex<Set<Informer.ObjectName>>([])
    /// Each node's allocatable resources, parsed once per change of the node's allocatable.
    let allocatableCache = NodeAllocatable()

    public init() {}

    public func register(_ context: ControllerContext) {
        let queue = WorkQueue<Informer.ObjectName>(name: "scheduler", timers: context.timers)
        self.queue = queue
        let pods = context.informer(Self.pods)
        let nodes = context.informer(Self.nodes)
        pods.addHandler(Informer.Handler(
            added: { [self] pod in
                nodeUsage.observe(Self.key(pod), pod)
                if noteAwaiting(pod) { queue.add(Self.key(pod)) }
            },
            updated: { [self] old, pod in
                nodeUsage.observe(Self.key(pod), pod)
                if noteAwaiting(pod) { queue.add(Self.key(pod)) }
                if !PodView(pod).nodeName.isEmpty {
                    assumed.withLock { _ = $0.removeValue(forKey: Self.key(pod)) }
                }
                if Self.occupiesNode(old), !Self.occupiesNode(pod) { requeueUnscheduled(pods) }
            },
            deleted: { [self] pod in
                nodeUsage.observe(Self.key(pod), nil)
                awaiting.withLock { _ = $0.remove(Self.key(pod)) }
                assumed.withLock { _ = $0.removeValue(forKey: Self.key(pod)) }
                if Self.occupiesNode(pod) { requeueUnscheduled(pods) }
            }))
        let claims = context.informer(GroupResource(group: "", resource: "persistentvolumeclaims"))
        claims.addHandler(Informer.Handler(
            added: { [self] _ in requeueUnscheduled(pods) },
            updated: { [self] old, claim in
                if old["status"] != claim["status"] { requeueUnscheduled(pods) }
            }))
        nodes.addHandler(Informer.Handler(
            added: { [self] _ in requeueUnscheduled(pods) },
            updated: { [self] old, node in
                // Heartbeats change nothing a filter reads; spec, labels and allocatable do.
                if old["spec"] != node["spec"] || old.meta.labels != node.meta.labels
                    || NodeView(old).allocatable != NodeView(node).allocatable {
                    requeueUnscheduled(pods)
                }
            }))
    }

    public func start(_ context: ControllerContext) {
        queue.run(workers: 1) { [self] key in sync(key, context) }
    }

    static func key(_ pod: JSON) -> Informer.ObjectName {
        Informer.ObjectName(namespace: pod.meta.namespace,
                            name: pod.meta.name)
    }

    /// A pod this scheduler should place: no node yet, ours, not deleted, not gated, not finished.
    static func awaitsScheduling(_ pod: JSON) -> Bool {
        PodView(pod).nodeName.isEmpty
            && (PodView(pod).schedulerName ?? schedulerName) == schedulerName
            && !pod.meta.isBeingDeleted
            && !PodView(pod).hasSchedulingGates
            && !isTerminal(pod)
    }

    static func isTerminal(_ pod: JSON) -> Bool {
        let phase = PodView(pod).phase
        return phase == "Succeeded" || phase == "Failed"
    }

    /// Whether a pod takes room on a node (the scheduler's cache leaves out terminal pods).
    static func occupiesNode(_ pod: JSON) -> Bool {
        !PodView(pod).nodeName.isEmpty && !isTerminal(pod)
    }

    /// Records whether `pod` awaits scheduling; returns it.
    private func noteAwaiting(_ pod: JSON) -> Bool {
        let waits = Self.awaitsScheduling(pod)
        awaiting.withLock { if waits { $0.insert(Self.key(pod)) } else { $0.remove(Self.key(pod)) } }
        return waits
    }

    func requeueUnscheduled(_ pods: Informer) {
        for key in awaiting.withLock({ $0 }) { queue.add(key) }
    }

    func sync(_ key: Informer.ObjectName, _ context: ControllerContext) {
        let podInformer = context.informer(Self.pods)
        guard let pod = podInformer.get(namespace: key.namespace, name: key.name), Self.awaitsScheduling(pod),
              assumed.withLock({ $0[key] == nil }) else { return }
        let nodes = context.informer(Self.nodes).list().sorted {
            $0.meta.name < $1.meta.name
        }
        // Claims first, as upstream's VolumeBinding plugin: an unbound immediate claim keeps the pod
        // Pending; a WaitForFirstConsumer claim waits for this scheduler to pick a node.
        let volumes = VolumeBinding.check(pod, registry: context.registry)
        switch volumes {
        case .unschedulable(let reason):
            reportUnschedulable(pod, message: VolumeBinding.unschedulableMessage(reason: reason, nodes: max(1, context.informer(Self.nodes).list().count)), context)
            return
        case .waitingForBinding:
            queue.addAfter(key, .milliseconds(200))
            return
        case .ready, .needsNode:
            break
        }
        let placed = nodeUsage.usage(adding: assumed.withLock { $0 })
        var rejections: [NodeFit.Rejection] = []
        var best: (node: String, score: Double)?
        let requested = NodeFit.requests(of: pod)
        for node in nodes {
            let nodeName = node.meta.name
            let usage = placed[nodeName] ?? NodeOccupancy.Usage()
            let allocatable = allocatableCache.resources(of: node)
            if let rejection = NodeFit.check(pod: pod, node: node, used: usage.used, podCount: usage.count,
                                             requested: requested, allocatable: allocatable) {
                rejections.append(rejection)
                continue
            }
            let score = Self.allocatedFraction(requested: requested, allocatable: allocatable, used: usage.used, podCount: usage.count)
            if best == nil || score < best!.score { best = (nodeName, score) }
        }
        guard let best else {
            reportUnschedulable(pod, message: Self.failureMessage(nodes: nodes.count, rejections: rejections, pod: pod), context)
            return
        }
        if case .needsNode = volumes {
            // Provisioning starts from the claim's selected node; the pod binds once the claims are bound.
            try? VolumeBinding.selectNode(best.node, for: pod, context: context)
            queue.addAfter(key, .milliseconds(200))
            return
        }
        bind(pod, to: best.node, key: key, context)
    }

    /// Upstream's LeastAllocated idea: the share of cpu, memory and pod slots in use once this pod
    /// is added; the emptiest node wins (ties go to the first by name).
    static func allocatedFraction(requested: NodeFit.Resources, allocatable: NodeFit.Resources, used: NodeFit.Resources,
                                  podCount: Int) -> Double {
        var shares: [Double] = []
        for name in ["cpu", "memory"] {
            guard let capacity = allocatable[name], capacity > 0 else { continue }
            shares.append(Double(used[name, default: 0] + requested[name, default: 0]) / Double(capacity))
        }
        if let slots = allocatable["pods"], slots > 0 { shares.append(Double(podCount + 1) / Double(slots)) }
        return shares.isEmpty ? 0 : shares.reduce(0, +) / Double(shares.count)
    }

    func bind(_ pod: JSON, to node: String, key: Informer.ObjectName, _ context: ControllerContext) {
        let binding: JSON = [
            "apiVersion": "v1", "kind": "Binding",
            "metadata": ["name": .string(key.name), "namespace": .string(key.namespace), "uid": .string(pod.meta.uid)],
            "target": ["apiVersion": "v1", "kind": "Node", "name": .string(node)],
        ]
        assumed.withLock { $0[key] = (node, pod) }
        do {
            try context.client(Self.pods).bind(namespace: key.namespace, name: key.name, binding: binding,
                                               options: WriteOptions(fieldManager: "kube-scheduler"))
        } catch {
            assumed.withLock { _ = $0.removeValue(forKey: key) }
            // Bound, deleted or recreated meanwhile: the cache will say what to do next.
            if error.isConflict || error.isNotFound { return }
            context.logger.warning("binding failed", metadata: ["pod": "\(key.namespace)/\(key.name)", "error": "\(error)"])
            queue.addRateLimited(key)
            return
        }
        queue.forget(key)
        context.events.record(pod, type: .normal, reason: "Scheduled",
                              message: "Successfully assigned \(key.namespace)/\(key.name) to \(node)",
                              component: Self.schedulerName, fieldPath: nil, host: nil)
    }

    func reportUnschedulable(_ pod: JSON, message: String, _ context: ControllerContext) {
        let key = Self.key(pod)
        let now = Timestamp.format(context.timers.now())
        var conditions = pod[path: "status", "conditions"]?.arrayValue ?? []
        var condition: JSON = ["type": "PodScheduled", "status": "False", "lastProbeTime": nil, "lastTransitionTime": .string(now),
                               "reason": "Unschedulable", "message": .string(message)]
        if let i = conditions.firstIndex(where: { $0["type"]?.stringValue == "PodScheduled" }) {
            if conditions[i]["status"]?.stringValue == "False" { condition["lastTransitionTime"] = conditions[i]["lastTransitionTime"] ?? .string(now) }
            if conditions[i] != condition { conditions[i] = condition }
        } else {
            conditions.append(condition)
        }
        if conditions != (pod[path: "status", "conditions"]?.arrayValue ?? []) {
            var updated = pod
            updated[path: "status", "conditions"] = .array(conditions)
            do {
                _ = try context.client(Self.pods).updateStatus(namespace: key.namespace, name: key.name,
                                                                            body: RequestBody(value: updated), options: WriteOptions(fieldManager: "kube-scheduler"))
            } catch {
                if error.isConflict { queue.addRateLimited(key) }
                if !error.isNotFound {
                    context.logger.debug("pod status update failed", metadata: ["pod": "\(key.namespace)/\(key.name)", "error": "\(error)"])
                }
                return
            }
        }
        context.events.record(pod, type: .warning, reason: "FailedScheduling", message: message,
                              component: Self.schedulerName, fieldPath: nil, host: nil)
    }

    /// Upstream's FitError text: the filter reasons counted over nodes, then what preemption found.
    static func failureMessage(nodes: Int, rejections: [NodeFit.Rejection], pod: JSON) -> String {
        if nodes == 0 { return "no nodes available to schedule pods" }
        var filterCounts: [String: Int] = [:]
        var preemptionCounts: [String: Int] = [:]
        for r in rejections {
            for reason in r.reasons { filterCounts[reason, default: 0] += 1 }
            let outcome = r.unresolvable ? "Preemption is not helpful for scheduling" : "No preemption victims found for incoming pod"
            preemptionCounts[outcome, default: 0] += 1
        }
        func histogram(_ counts: [String: Int]) -> String {
            counts.map { "\($0.value) \($0.key)" }.sorted().joined(separator: ", ")
        }
        var message = "0/\(nodes) nodes are available: \(histogram(filterCounts))."
        if PodView(pod).preemptionPolicy == "Never" {
            message += " preemption: not eligible due to preemptionPolicy=Never."
        } else {
            message += " preemption: 0/\(nodes) nodes are available: \(histogram(preemptionCounts))."
        }
        return message
    }
}
