import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension KubeletSimulator {
    /// How often a running pod's configMap, secret, downwardAPI and projected files are rewritten
    /// from their sources (upstream's kubelet resyncs each pod every minute, `--sync-frequency`;
    /// Kubelite is quicker, as changes on a real cluster often arrive sooner than that).
    static let projectedVolumeResync: TimeInterval = 5

    /// Whether a newly seen pod runs as processes, and if not, the `Simulated` event's message
    /// (only in `auto` mode, where the choice is per pod).
    func admit(_ pod: JSON) -> (runsProcesses: Bool, simulatedBecause: String?) {
        switch options.podRuntime {
        case .simulated: return (false, nil)
        case .process: return (runtime != nil, nil)
        case .auto:
            guard let runtime else {
                return (false, "Kubelite simulates this pod: this machine cannot run pods (\(ProcessRuntimeProbe.reason.map { "it needs \($0)" } ?? "no process runtime"))")
            }
            if let reason = runtime.preparation.unavailableReason() {
                return (false, "Kubelite simulates this pod: this machine cannot run pods (it needs \(reason))")
            }
            if PodView(pod).hostNetwork { return (false, "Kubelite simulates this pod: hostNetwork pods are not run as processes") }
            if let problem = runtime.podProblem(pod) { return (false, "Kubelite simulates this pod: \(problem)") }
            return (true, nil)
        }
    }

    /// The kubelet's sync for a pod whose containers are processes: the runtime takes the next
    /// lifecycle step and the status follows what the processes do.
    func syncProcesses(_ pod: JSON, key: Informer.ObjectName, record: PodRecord, node: String, runtime: ProcessPodRuntime,
                       _ context: ControllerContext) {
        if pod.meta.isBeingDeleted {
            terminateProcesses(pod, key: key, record: record, runtime: runtime, context)
            return
        }
        let uid = pod.meta.uid
        let phase = PodView(pod).phase ?? "Pending"
        if phase == "Running", let ending = pod.meta.annotation(Self.phaseAnnotation), ending == "Failed" || ending == "Succeeded" {
            // The steering annotation ends a real pod as it ends a simulated one: its processes stop.
            runtime.finish(uid: uid)
            state.withLock { _ = $0.addresses[node]?.release(uid) }
            write(KubeletPodStatus.terminated(pod, exitCode: ending == "Failed" ? 1 : 0, now: context.timers.now()), of: pod, key: key, context)
            return
        }
        let known = runtime.snapshot(uid: uid)
        // A finished pod is not run again, neither by this kubelet nor after Kubelite restarts; one
        // whose final status is not stored yet (a conflict) goes on to write it.
        if phase == "Succeeded" || phase == "Failed", known == nil || known?.finished == true {
            state.withLock { _ = $0.addresses[node]?.release(uid) }
            return
        }
        let now = context.timers.now()
        let mounts: [PodSandbox.Mount]
        do {
            mounts = try ProcessPodVolumes.mounts(pod, podDirectory: runtime.directory(namespace: key.namespace, name: key.name, uid: uid),
                                                  root: runtime.root, catalog: runtime.catalog, lookup: { resource, namespace, name in
                try? context.client(GroupResource(group: "", resource: resource)).get(namespace: namespace, name: name).object
            }, tokens: tokens)
        } catch {
            context.events.record(pod, type: .warning, reason: "FailedMount", message: "MountVolume.SetUp failed: \(error.description)",
                                  component: "kubelet", host: node)
            queue.addAfter(key, .seconds(ProcessPodRuntime.initialBackoff))
            if PodView(pod).hostIP == nil { write(KubeletPodStatus.pending(pod, hostIP: hostIP(node), now: now), of: pod, key: key, context) }
            return
        }
        // The address comes first: the sandbox is created on the pod network with it.
        let ip = podIP(pod, node: node)
        let subnet = options.podCIDR(index: options.index(of: node))
        let wake = runtime.sync(pod: pod, mounts: mounts, address: ip.map { ($0, subnet) }, now: now, data: Self.dataSource(context),
                             services: Self.serviceSource(context))
        for event in runtime.takePodEvents(uid: uid) {
            context.events.record(pod, type: .warning, reason: event.reason, message: event.message, component: "kubelet", host: node)
        }
        if let wake { queue.addAfter(key, .seconds(max(0, wake.timeIntervalSince(now)))) }
        let probed = runtime.probe(pod: pod, now: now)
        if let probe = probed.wake { queue.addAfter(key, .seconds(max(0, probe.timeIntervalSince(now)))) }
        recordContainerEvents(probed.events, about: pod, node: node, context)
        if (pod[path: "spec", "volumes"]?.arrayValue ?? []).contains(where: VolumeProjection.isProjected) {
            // The kubelet's periodic sync: changed ConfigMaps, Secrets and pod fields reach the files.
            queue.addAfter(key, .seconds(Self.projectedVolumeResync))
        }
        guard let snapshot = runtime.snapshot(uid: uid) else { return }
        if snapshot.finished { runtime.stopSandbox(uid: uid) }
        let unready = pod.meta.annotation(Self.readyAnnotation) == "false"
        let status = ProcessPodStatus.status(pod, record: snapshot, hostIP: hostIP(node), podIP: ip, unready: unready, now: now)
        let wasRunning = PodView(pod).phase == "Running"
        if write(status, of: pod, key: key, context), !wasRunning, status["phase"]?.stringValue == "Running" {
            announceStart(pod, node: node, context)
        }
    }

    /// Graceful deletion of a process pod: SIGTERM when the deletion is seen, SIGKILL when the grace
    /// period ends; the pod is removed as soon as every container has exited.
    func terminateProcesses(_ pod: JSON, key: Informer.ObjectName, record: PodRecord, runtime: ProcessPodRuntime,
                            _ context: ControllerContext) {
        let now = context.timers.now()
        let since = record.terminatingSince ?? now
        if record.terminatingSince == nil {
            state.withLock { $0.pods[key]?.terminatingSince = now }
            announceStop(pod, context)
            runtime.terminate(uid: record.uid, pod: pod)
        }
        recordContainerEvents(runtime.takeEvents(uid: record.uid), about: pod, node: pod[path: "spec", "nodeName"]?.stringValue ?? "", context)
        let deadline = since.addingTimeInterval(Double(max(0, pod.meta.deletionGracePeriodSeconds ?? 0)))
        if !runtime.allExited(uid: record.uid), now < deadline {
            // A container's end enqueues the pod again; the deadline is the SIGKILL.
            queue.addAfter(key, .seconds(deadline.timeIntervalSince(now)))
            return
        }
        if var final = runtime.remove(uid: record.uid), PodView(pod).phase == "Running" || PodView(pod).phase == "Pending" {
            final.finished = true
            final.sandbox = nil
            let stopped = ProcessPodStatus.status(pod, record: final, hostIP: PodView(pod).hostIP ?? "", podIP: PodView(pod).podIP, now: now)
            _ = write(stopped, of: pod, key: key, context)
        }
        removePod(key, uid: record.uid, context)
    }

    /// Records the runtime's container events (probe results, hooks, kills) as the kubelet does,
    /// each about its container's field.
    func recordContainerEvents(_ events: [ContainerEvent], about pod: JSON, node: String, _ context: ControllerContext) {
        guard !events.isEmpty else { return }
        let inits = Set(KubeletPodStatus.initContainers(pod).map(KubeletPodStatus.name))
        for e in events {
            let field = inits.contains(e.container) ? "initContainers" : "containers"
            context.events.record(pod, type: e.warning ? .warning : .normal, reason: e.reason, message: e.message, component: "kubelet",
                                  fieldPath: "spec.\(field){\(e.container)}", host: node)
        }
    }

    /// A namespace's Services for containers' Service variables, read through the Registry.
    static func serviceSource(_ context: ControllerContext) -> ContainerLaunch.ServiceSource {
        { namespace in
            context.client(GroupResource(group: "", resource: "services")).list(namespace: namespace).items.map(\.object)
        }
    }

    /// ConfigMaps and Secrets (decoded) for containers' environment, read through the Registry.
    static func dataSource(_ context: ControllerContext) -> ContainerLaunch.DataSource {
        { resource, namespace, name in
            guard let object = try? context.client(GroupResource(group: "", resource: resource)).get(namespace: namespace, name: name).object else {
                return nil
            }
            var values: [String: String] = [:]
            for (key, value) in object["data"]?.objectValue ?? [:] {
                guard let s = value.stringValue else { continue }
                values[key] = resource == "secrets" ? Data(base64Encoded: s).map { String(decoding: $0, as: UTF8.self) } ?? "" : s
            }
            return values
        }
    }
}
