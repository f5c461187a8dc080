import APIMachinery
import Foundation

/// One step of upstream's pod lifecycle on a process pod (pkg/kubelet's computePodActions):
/// init containers one at a time in order, each to success (a sidecar, `restartPolicy: Always`,
/// only until it runs), then every app container; an ended
/// container restarts as restartPolicy says, the first time at once and then after a backoff of
/// 10 s doubling to 5 minutes (CrashLoopBackOff).
struct ProcessPodLifecycle {
    let runtime: ProcessPodRuntime
    let pod: JSON
    let now: Date
    let data: ContainerLaunch.DataSource
    let services: ContainerLaunch.ServiceSource

    var restartPolicy: String { pod[path: "spec", "restartPolicy"]?.stringValue ?? "Always" }

    /// Advances `record`; returns when a backoff ends, if one is waited for.
    func advance(_ record: inout ProcessPod) -> Date? {
        var wake: Date?
        func note(_ date: Date?) { if let date, wake.map({ date < $0 }) ?? true { wake = date } }
        for c in KubeletPodStatus.initContainers(pod) {
            let name = KubeletPodStatus.name(c)
            var container = record.containers[name] ?? fresh(name)
            defer { record.containers[name] = container }
            if c["restartPolicy"]?.stringValue == "Always" {
                // A sidecar: the next container starts once it runs; it is restarted whenever it ends.
                if container.running { continue }
                note(container.termination == nil ? start(c, &container, record) : restart(c, &container, record))
                if container.running { continue }
                return wake
            }
            if container.running { return wake }
            if let t = container.termination {
                if t.exitCode == 0 { continue }
                if restartPolicy == "Never" { record.finished = true; return nil }
                note(restart(c, &container, record))
                return wake
            }
            note(start(c, &container, record))
            return wake
        }
        var unfinished = false
        for c in KubeletPodStatus.containers(pod) {
            let name = KubeletPodStatus.name(c)
            var container = record.containers[name] ?? fresh(name)
            defer { record.containers[name] = container }
            if container.running { unfinished = true; continue }
            if let t = container.termination {
                if restartPolicy == "Always" || (restartPolicy == "OnFailure" && t.exitCode != 0) {
                    unfinished = true
                    note(restart(c, &container, record))
                }
                continue
            }
            unfinished = true
            note(start(c, &container, record))
        }
        if !unfinished { record.finished = true }
        return wake
    }

    /// A container the runtime has not run yet. After Kubelite restarts, a container the pod
    /// reports as started counts one restart more, as a kubelet restarting its containers would.
    func fresh(_ name: String) -> ProcessPod.ContainerRecord {
        var record = ProcessPod.ContainerRecord()
        let statuses = (pod[path: "status", "initContainerStatuses"]?.arrayValue ?? []) + (pod[path: "status", "containerStatuses"]?.arrayValue ?? [])
        if let old = statuses.first(where: { $0["name"]?.stringValue == name }),
           old[path: "state", "running"] != nil || old[path: "state", "terminated"] != nil {
            record.restartCount = Int(old["restartCount"]?.intValue ?? 0) + 1
        }
        return record
    }

    /// Restarts an ended container unless its backoff still runs: the first restart is at once,
    /// the n-th waits 10 s × 2^(n-1) from the end, at most 5 minutes.
    func restart(_ c: JSON, _ container: inout ProcessPod.ContainerRecord, _ record: ProcessPod) -> Date? {
        guard let ended = container.termination else { return start(c, &container, record) }
        let backoff = ProcessPodLifecycle.backoff(restarts: container.restartCount)
        let due = ended.finishedAt.addingTimeInterval(backoff)
        if backoff > 0, now < due {
            let name = KubeletPodStatus.name(c)
            container.waiting = ("CrashLoopBackOff",
                                 "back-off \(Self.duration(backoff)) restarting failed container=\(name) pod=\(record.name)_\(record.namespace)(\(record.uid))")
            return due
        }
        container.lastTermination = ended
        container.termination = nil
        container.instance = nil
        container.resetInstanceState()
        container.restartCount += 1
        return start(c, &container, record)
    }

    static func backoff(restarts: Int) -> TimeInterval {
        restarts == 0 ? 0 : min(ProcessPodRuntime.maxBackoff, ProcessPodRuntime.initialBackoff * pow(2, Double(restarts - 1)))
    }

    /// Go's duration text for whole seconds: `10s`, `1m20s`, `5m0s`.
    static func duration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds)
        return s < 60 ? "\(s)s" : "\(s / 60)m\(s % 60)s"
    }

    /// Starts an instance; a missing image or configuration leaves the container waiting with the
    /// kubelet's reason, retried after a backoff.
    func start(_ c: JSON, _ container: inout ProcessPod.ContainerRecord, _ record: ProcessPod) -> Date? {
        if let next = container.nextAttempt, now < next { return next }
        let image = c["image"]?.stringValue ?? ""
        let name = KubeletPodStatus.name(c)
        if let problem = runtime.imageProblem(image) {
            container.pullAttempts += 1
            container.waiting = container.pullAttempts == 1 ? ("ErrImagePull", problem) : ("ImagePullBackOff", "Back-off pulling image \"\(image)\"")
            let next = now.addingTimeInterval(Self.backoff(restarts: container.pullAttempts))
            container.nextAttempt = next
            return next
        }
        guard let entry = runtime.catalog.entry(for: image), let sandbox = record.sandbox else { return nil }
        let hostname = PodView(pod).hostname.isEmpty ? record.name : PodView(pod).hostname
        let launch: ContainerLaunch
        do {
            launch = try ContainerLaunch.resolve(container: c, pod: pod, hostname: hostname, image: entry, data: data, services: services)
        } catch {
            container.waiting = ("CreateContainerConfigError", error.description)
            let next = now.addingTimeInterval(ProcessPodRuntime.initialBackoff)
            container.nextAttempt = next
            return next
        }
        container.waiting = nil
        container.nextAttempt = nil
        container.launch = launch
        let logPath = record.logPath(container: name, restartCount: container.restartCount)
        try? FileManager.default.createDirectory(atPath: (logPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let (uid, restartCount, runtime) = (record.uid, container.restartCount, runtime)
        do {
            container.instance = try runtime.launcher.start(launch, in: sandbox, logPath: logPath) { termination in
                runtime.containerExited(uid: uid, container: name, restartCount: restartCount, termination)
            }
        } catch {
            // runc's failure: the container is created but cannot start (exit 128, StartError).
            container.termination = ContainerTermination(exitCode: 128, startedAt: now, finishedAt: now, reason: "StartError",
                                                         message: "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: \(error.description): unknown")
        }
        return nil
    }
}
