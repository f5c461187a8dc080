import APIMachinery
import Foundation
import Registry

extension ProcessPodRuntime {
    /// Starts the exec readiness probes that are due (initialDelaySeconds after the probing began,
    /// then every periodSeconds; a probe running longer than timeoutSeconds fails) and returns when
    /// the next is due. A result that changes the container's readiness enqueues the pod. Probes
    /// of other kinds (httpGet, tcpSocket, grpc) are not run: their containers count as ready.
    func probeReadiness(pod: JSON, now: Date) -> Date? {
        let uid = pod.meta.uid
        let (namespace, podName) = (pod.meta.namespace, pod.meta.name)
        var next: Date?
        for c in KubeletPodStatus.containers(pod) {
            guard let probe = c["readinessProbe"], let command = probe[path: "exec", "command"]?.arrayValue?.compactMap(\.stringValue),
                  !command.isEmpty else { continue }
            let name = KubeletPodStatus.name(c)
            let period = Double(max(1, probe["periodSeconds"]?.intValue ?? 10))
            let delay = Double(max(0, probe["initialDelaySeconds"]?.intValue ?? 0))
            let timeout = Double(max(1, probe["timeoutSeconds"]?.intValue ?? 1))
            let due = pods.withLock { pods -> (pid: pid_t?, launch: ContainerLaunch, restartCount: Int)? in
                guard var r = pods[uid]?.containers[name], r.running, !r.probing, let launch = r.launch else { return nil }
                let since = r.probeSince ?? now
                r.probeSince = since
                let at = r.lastProbe.map { $0.addingTimeInterval(period) } ?? since.addingTimeInterval(delay)
                defer { pods[uid]?.containers[name] = r }
                if now < at {
                    if next.map({ at < $0 }) ?? true { next = at }
                    return nil
                }
                r.probing = true
                r.lastProbe = now
                let following = now.addingTimeInterval(period)
                if next.map({ following < $0 }) ?? true { next = following }
                return (r.instance?.pid, launch, r.restartCount)
            }
            guard let due else { continue }
            let record: @Sendable (Bool) -> Void = { [self] success in
                let changed = pods.withLock { pods -> Bool in
                    guard var r = pods[uid]?.containers[name], r.restartCount == due.restartCount else { return false }
                    r.probing = false
                    let changed = r.probeReady != success
                    r.probeReady = success
                    pods[uid]?.containers[name] = r
                    return changed
                }
                if changed { notify(namespace: namespace, name: podName) }
            }
            guard let pid = due.pid ?? NodePodConnection.mainPID(pods.withLock { $0[uid]?.containers[name]?.instance }) else {
                record(false)
                continue
            }
            let session = ExecSession(pid: pid, launch: due.launch, options: PodExecOptions(command: command, stdout: false, stderr: false))
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { session.cancel() }
            session.start(output: { _, _ in }, exit: { end in record(end == .exited(code: 0)) })
        }
        return next
    }
}
