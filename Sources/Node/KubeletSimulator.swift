import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Synchronization

/// The kubelet of the simulated nodes: runs the pods bound to them without running anything.
///
/// A bound pod is admitted (hostIP, startTime; while `podStartDelay` lasts it shows Pending with
/// containers in ContainerCreating), then its init containers complete and its containers run:
/// phase Running, a pod IP from the node's pod CIDR, container statuses and the kubelet's
/// conditions, with Pulled/Created/Started events per container. A container with a startup
/// probe is started, and one with a readiness probe ready, once the probe's initialDelaySeconds
/// have passed. A pod marked for deletion gets Killing events and is removed (DELETE with grace
/// period 0) after its grace period × `terminationGraceScale`, its containers stopped first.
///
/// Steering annotations, read whenever the pod changes:
/// - `kubelite.dev/ready: "false"`: the pod keeps running but its containers report unready
///   (Ready and ContainersReady False) until the annotation is removed or set to anything else.
/// - `kubelite.dev/phase: "Failed"`: the containers exit with code 1 (reason Error) and the pod
///   ends in phase Failed; `"Succeeded"`: they exit 0 (Completed) and the pod Succeeds. Either
///   way the pod is finished for good, whatever its restartPolicy.
public final class KubeletSimulator: Controller, @unchecked Sendable {
    public let name = "kubelet"
    public static let readyAnnotation = "kubelite.dev/ready"
    public static let phaseAnnotation = "kubelite.dev/phase"
    static let pods = GroupResource(group: "", resource: "pods")
    static let configMaps = GroupResource(group: "", resource: "configmaps")

    public let options: SimulatedNodeOptions
    /// Runs the pods that run for real (see `PodRuntimeMode`); nil: every pod is simulated.
    public let runtime: ProcessPodRuntime?
    private(set) var queue: WorkQueue<Informer.ObjectName>!
    /// The tokens of pods' `serviceAccountToken` projections; set in `register`.
    private(set) var tokens: ProjectedServiceAccountTokens?
    let state: Mutex<KubeletState>

    /// What the kubelet remembers of a pod between syncs.
    struct PodRecord {
        var uid: String
        var node: String
        var admittedAt: Date
        var terminatingSince: Date?
        /// Whether the pod's containers run as processes (decided once, when the pod is admitted).
        var runsProcesses = false
    }

    struct KubeletState {
        var pods: [Informer.ObjectName: PodRecord] = [:]
        var addresses: [String: PodIPAllocator] = [:]
    }

    public init(options: SimulatedNodeOptions, runtime: ProcessPodRuntime? = nil) {
        self.options = options
        self.runtime = options.podRuntime == .simulated ? nil : runtime
        var state = KubeletState()
        for (index, node) in options.indexedNodeNames {
            state.addresses[node] = PodIPAllocator(cidr: options.podCIDR(index: index).description)
        }
        self.state = Mutex(state)
    }

    public func register(_ context: ControllerContext) {
        let queue = WorkQueue<Informer.ObjectName>(name: "kubelet", timers: context.timers)
        self.queue = queue
        let registry = context.registry, timers = context.timers
        tokens = ProjectedServiceAccountTokens(clock: { timers.now() }) { namespace, account, body throws(APIError) in
            guard let requests = registry.tokenRequests else {
                throw APIError.serviceUnavailable("the service account token signer is not running")
            }
            return try requests.create(namespace: namespace, name: account, body: body)
        }
        runtime?.onContainerChange { namespace, name in queue.add(Informer.ObjectName(namespace: namespace, name: name)) }
        let nodes = Set(options.nodeNames)
        let mine: @Sendable (JSON) -> Bool = { nodes.contains(PodView($0).nodeName) }
        context.informer(Self.pods).addHandler(Informer.Handler(
            added: { pod in if mine(pod) { queue.add(Scheduler.key(pod)) } },
            updated: { _, pod in if mine(pod) { queue.add(Scheduler.key(pod)) } },
            deleted: { pod in if mine(pod) { queue.add(Scheduler.key(pod)) } }))
        // Every pod's API-access volume needs its namespace's kube-root-ca.crt, which the publisher
        // writes just after the namespace appears. A pod that raced it failed its mount and would
        // wait out the 10 s retry; upstream's volume manager retries within half a second, so the
        // pods of the namespace are synced again as soon as it exists.
        let pods = context.informer(Self.pods)
        context.informer(Self.configMaps).addHandler(Informer.Handler(added: { map in
            guard map.meta.name == "kube-root-ca.crt" else { return }
            for pod in pods.list(namespace: map.meta.namespace) where mine(pod) { queue.add(Scheduler.key(pod)) }
        }))
    }

    /// Pods synced at once. A real pod's sync waits on its sandbox's processes (mounts, the
    /// veth) more than it computes, so several overlap, as the kubelet's per-pod workers do.
    static let workers = 8

    public func start(_ context: ControllerContext) {
        queue.run(workers: Self.workers) { [self] key in sync(key, context) }
    }

    /// Pod addresses currently held on `node` (for tests and diagnostics).
    func allocatedAddresses(on node: String) -> Int { state.withLock { $0.addresses[node]?.allocatedCount ?? 0 } }

    /// True when no pod waits to be synced and none is being synced.
    var isIdle: Bool { queue.isIdle }

    /// Whether the kubelet has seen the pod's deletion and is counting down its grace period.
    func isTerminating(namespace: String, name: String) -> Bool {
        state.withLock { $0.pods[Informer.ObjectName(namespace: namespace, name: name)]?.terminatingSince != nil }
    }

    func sync(_ key: Informer.ObjectName, _ context: ControllerContext) {
        guard let pod = context.informer(Self.pods).get(namespace: key.namespace, name: key.name),
              case let node = PodView(pod).nodeName, options.nodeNames.contains(node) else {
            forget(key)
            return
        }
        let uid = pod.meta.uid
        let now = context.timers.now()
        let known = state.withLock { $0.pods[key]?.uid == uid }
        let admission = known ? nil : admit(pod)
        let (record, replaced) = state.withLock { state -> (PodRecord, PodRecord?) in
            if let r = state.pods[key], r.uid == uid { return (r, nil) }
            let old = state.pods[key]
            if let old { state.addresses[old.node]?.release(old.uid) }
            var r = PodRecord(uid: uid, node: node, admittedAt: now)
            r.runsProcesses = admission?.runsProcesses ?? false
            state.pods[key] = r
            return (r, old)
        }
        if let replaced, replaced.runsProcesses { runtime?.remove(uid: replaced.uid) }
        if let message = admission?.simulatedBecause, !pod.meta.isBeingDeleted {
            context.events.record(pod, type: .normal, reason: "Simulated", message: message, component: "kubelet", host: node)
        }
        if record.runsProcesses, let runtime {
            syncProcesses(pod, key: key, record: record, node: node, runtime: runtime, context)
            return
        }
        if pod.meta.isBeingDeleted {
            terminate(pod, key: key, record: record, context)
            return
        }
        let phase = PodView(pod).phase ?? "Pending"
        if phase == "Succeeded" || phase == "Failed" {
            state.withLock { _ = $0.addresses[node]?.release(uid) }
            return
        }
        if phase == "Running" {
            if let ending = pod.meta.annotation(Self.phaseAnnotation), ending == "Failed" || ending == "Succeeded" {
                state.withLock { _ = $0.addresses[node]?.release(uid) }
                write(KubeletPodStatus.terminated(pod, exitCode: ending == "Failed" ? 1 : 0, now: now), of: pod, key: key, context)
                return
            }
            run(pod, key: key, node: node, context)
            return
        }
        let due = record.admittedAt.addingTimeInterval(options.podStartDelay.seconds)
        if now < due {
            // The wake-up is set before the write, so whoever sees the write can rely on it.
            queue.addAfter(key, .seconds(due.timeIntervalSince(now)))
            if PodView(pod).hostIP == nil {
                write(KubeletPodStatus.pending(pod, hostIP: hostIP(node), now: now), of: pod, key: key, context)
            }
            return
        }
        if run(pod, key: key, node: node, context) { announceStart(pod, node: node, context) }
    }

    /// Writes the running status; true when it was stored.
    @discardableResult
    func run(_ pod: JSON, key: Informer.ObjectName, node: String, _ context: ControllerContext) -> Bool {
        let now = context.timers.now()
        guard let ip = podIP(pod, node: node) else {
            context.logger.warning("no pod address left", metadata: ["node": "\(node)", "pod": "\(key.namespace)/\(key.name)"])
            return false
        }
        let unready = pod.meta.annotation(Self.readyAnnotation) == "false"
        let (status, next) = KubeletPodStatus.running(pod, hostIP: hostIP(node), podIP: ip, unready: unready, now: now)
        if let next { queue.addAfter(key, .seconds(next.timeIntervalSince(now))) }
        return write(status, of: pod, key: key, context)
    }

    /// Host network pods use the node's address; others get one from the node's pod CIDR (the
    /// address a pod already reports is kept, so a restart does not renumber pods).
    func podIP(_ pod: JSON, node: String) -> String? {
        if PodView(pod).hostNetwork { return hostIP(node) }
        let uid = pod.meta.uid
        return state.withLock { state -> String? in
            if let reported = PodView(pod).podIP, state.addresses[node]?.reserve(reported, for: uid) == true {
                return reported
            }
            return state.addresses[node]?.allocate(uid)
        }
    }

    func hostIP(_ node: String) -> String {
        SimulatedNodeOptions.internalIP(index: options.index(of: node))
    }

    /// Stores a new status when it differs from the cached one, guarded by the cached
    /// resourceVersion. A conflict means the cache is behind: the newer pod arrives as an update
    /// and is synced again.
    @discardableResult
    func write(_ status: JSON, of pod: JSON, key: Informer.ObjectName, _ context: ControllerContext) -> Bool {
        guard status != pod["status"] else { return false }
        do {
            _ = try context.client(Self.pods).updateStatus(namespace: key.namespace, name: key.name,
                                                                        body: RequestBody(value: Self.statusBody(status, of: pod)),
                                                                        options: WriteOptions(fieldManager: "kubelet"))
            queue.forget(key)
            return true
        } catch {
            if error.isConflict { queue.addRateLimited(key) }
            if !error.isNotFound && !error.isConflict {
                context.logger.warning("pod status update failed", metadata: ["pod": "\(key.namespace)/\(key.name)", "error": "\(error)"])
            }
            return false
        }
    }

    /// The body of a status write: the pod's identity, the version it answers to and the status.
    /// The status subresource keeps everything else as stored, so the rest of the pod would only be
    /// decoded to be dropped (upstream's kubelet likewise sends only a patch of the status).
    static func statusBody(_ status: JSON, of pod: JSON) -> JSON {
        let meta = pod.meta
        return ["apiVersion": "v1", "kind": "Pod",
                "metadata": ["name": .string(meta.name), "namespace": .string(meta.namespace), "uid": .string(meta.uid),
                             "resourceVersion": .string(meta.resourceVersion)],
                "status": status]
    }

    func forget(_ key: Informer.ObjectName) {
        let removed = state.withLock { state -> PodRecord? in
            guard let r = state.pods.removeValue(forKey: key) else { return nil }
            state.addresses[r.node]?.release(r.uid)
            return r
        }
        if let removed { tokens?.forget(podUID: removed.uid) }
        if let removed, removed.runsProcesses { runtime?.remove(uid: removed.uid) }
    }
}
