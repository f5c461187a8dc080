import APIMachinery
import Foundation

/// The status a kubelet reports for a pod whose containers run as processes: each container's
/// state from its instances (running, terminated with exit code and reason, or waiting with the
/// kubelet's reason), lastState, restartCount, and the phase and conditions that follow.
enum ProcessPodStatus {
    typealias Condition = KubeletPodStatus.Condition

    /// `unready` is the `kubelite.dev/ready: "false"` steering annotation, honoured for running
    /// processes as for simulated pods: running containers report unready.
    static func status(_ pod: JSON, record: ProcessPod, hostIP: String, podIP: String?, unready: Bool = false, now: Date) -> JSON {
        let old = pod["status"] ?? [:]
        let inits = KubeletPodStatus.initContainers(pod)
        let mains = KubeletPodStatus.containers(pod)
        let initsDone = inits.allSatisfy { Self.initialized($0, record) }
        let initStatuses = inits.map { status($0, pod: pod, record: record, pending: "PodInitializing", unready: false) }
        let statuses = mains.map { status($0, pod: pod, record: record, pending: initsDone ? "ContainerCreating" : "PodInitializing", unready: unready) }
        let records = mains.map { record.containers[KubeletPodStatus.name($0)] }
        let notReady = mains.filter { unready || !Self.ready($0, record) }.map(KubeletPodStatus.name)

        let phase: String
        if record.finished {
            let failedInit = inits.contains { $0["restartPolicy"]?.stringValue != "Always"
                && (record.containers[KubeletPodStatus.name($0)]?.termination?.exitCode ?? 0) != 0 }
            phase = failedInit || records.contains { ($0?.termination?.exitCode ?? 0) != 0 } ? "Failed" : "Succeeded"
        } else if initsDone && records.contains(where: { $0?.started ?? false }) {
            phase = "Running"
        } else {
            phase = "Pending"
        }
        var conditions: [Condition] = [Condition(type: "PodReadyToStartContainers", status: record.sandbox != nil && !record.finished)]
        conditions.append(initsDone ? Condition(type: "Initialized", status: true)
            : Condition(type: "Initialized", status: false, reason: "ContainersNotInitialized",
                        message: "containers with incomplete status: [\(inits.filter { !Self.initialized($0, record) }.map(KubeletPodStatus.name).joined(separator: " "))]"))
        if record.finished {
            let reason = phase == "Failed" ? "PodFailed" : "PodCompleted"
            conditions += [Condition(type: "Ready", status: false, reason: reason), Condition(type: "ContainersReady", status: false, reason: reason)]
        } else if notReady.isEmpty {
            conditions += [Condition(type: "Ready", status: true), Condition(type: "ContainersReady", status: true)]
        } else {
            let message = KubeletPodStatus.unreadyMessage(notReady)
            conditions += [Condition(type: "Ready", status: false, reason: "ContainersNotReady", message: message),
                           Condition(type: "ContainersReady", status: false, reason: "ContainersNotReady", message: message)]
        }
        conditions.append(Condition(type: "PodScheduled", status: true))
        return KubeletPodStatus.assemble(old: old, phase: phase, conditions: conditions, hostIP: hostIP, podIP: podIP,
                                         initStatuses: initStatuses, statuses: statuses, now: now)
    }

    /// A running container is ready once it started (below) and its readiness probe, if any, succeeded.
    static func ready(_ c: JSON, _ record: ProcessPod) -> Bool {
        guard started(c, record), let container = record.containers[KubeletPodStatus.name(c)] else { return false }
        guard c["readinessProbe"]?.objectValue != nil else { return true }
        return container.probes[.readiness]?.result == true
    }

    /// A running container has started once its startup probe, if any, succeeded (`started`).
    static func started(_ c: JSON, _ record: ProcessPod) -> Bool {
        guard let container = record.containers[KubeletPodStatus.name(c)], container.running else { return false }
        guard c["startupProbe"]?.objectValue != nil else { return true }
        return container.probes[.startup]?.result == true
    }

    /// An init container has done its part once it succeeded, a sidecar once it runs.
    static func initialized(_ c: JSON, _ record: ProcessPod) -> Bool {
        let container = record.containers[KubeletPodStatus.name(c)]
        if c["restartPolicy"]?.stringValue == "Always" { return container?.running ?? false }
        return container?.termination?.exitCode == 0
    }

    static func status(_ c: JSON, pod: JSON, record: ProcessPod, pending: String, unready: Bool) -> JSON {
        let name = KubeletPodStatus.name(c)
        let container = record.containers[name] ?? ProcessPod.ContainerRecord()
        let state: JSON
        if let waiting = container.waiting {
            state = ["waiting": ["reason": .string(waiting.reason), "message": .string(waiting.message)]]
        } else if let t = container.termination {
            state = terminated(t, pod: pod, c: c)
        } else if let instance = container.instance {
            state = ["running": ["startedAt": .string(Timestamp.format(instance.startedAt))]]
        } else {
            state = ["waiting": .object(["reason": .string(pending)])]
        }
        let running = container.running && container.waiting == nil
        var status = KubeletPodStatus.containerStatus(c, old: nil, pod: pod, state: state, ready: running && !unready && ready(c, record),
                                                      started: running && started(c, record),
                                                      running: container.started)
        // While in CrashLoopBackOff the instance that just ended is the last state.
        let last = container.waiting?.reason == "CrashLoopBackOff" ? container.termination : container.lastTermination
        status["lastState"] = last.map { ["terminated": terminated($0, pod: pod, c: c)["terminated"]!] } ?? [:]
        status["restartCount"] = .int(Int64(container.restartCount))
        return status
    }

    static func terminated(_ t: ContainerTermination, pod: JSON, c: JSON) -> JSON {
        var fields: JSONObject = ["exitCode": .int(Int64(t.exitCode))]
        fields["reason"] = .string(t.reason)
        if let message = t.message { fields["message"] = .string(message) }
        fields["startedAt"] = .string(Timestamp.format(t.startedAt))
        fields["finishedAt"] = .string(Timestamp.format(t.finishedAt))
        fields["containerID"] = .string(KubeletPodStatus.containerID(pod, c))
        return ["terminated": .object(fields)]
    }
}
