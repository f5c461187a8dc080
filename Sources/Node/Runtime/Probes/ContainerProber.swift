import APIMachinery
import Foundation

/// The kubelet's probe workers over a process pod (upstream's pkg/kubelet/prober/worker.go), run
/// as one pass per sync on the kubelet's clock: an attempt is due initialDelaySeconds after the
/// container was first seen running, then every periodSeconds; an attempt still running after
/// timeoutSeconds fails. successThreshold/failureThreshold attempts in a row settle a result. The
/// startup probe runs first and holds the others back; a settled liveness or startup failure kills
/// the container (it restarts as restartPolicy says). postStart hooks start here too, and the
/// kills the probes decided are carried out (SIGTERM, then SIGKILL after the grace period).
extension ProcessPodRuntime {
    /// One attempt to start once the lock is released.
    private struct Attempt {
        var container: String
        var restartCount: Int
        var probe: ContainerProbe
        var handler: ContainerHandler
        var number: Int
        var target: HandlerTarget
    }

    /// Runs the pass at `now`; returns when the next attempt, timeout or kill is due, and the events
    /// to record (including those that arrived since the last pass).
    func probe(pod: JSON, now: Date) -> (wake: Date?, events: [ContainerEvent]) {
        let uid = pod.meta.uid
        let policy = pod[path: "spec", "restartPolicy"]?.stringValue ?? "Always"
        let podGrace = Int(pod[path: "spec", "terminationGracePeriodSeconds"]?.intValue ?? 30)
        var wake: Date?
        func note(_ date: Date) { if wake.map({ date < $0 }) ?? true { wake = date } }
        var events: [ContainerEvent] = []
        var attempts: [Attempt] = []
        var hooks: [(container: String, restartCount: Int, handler: ContainerHandler, target: HandlerTarget)] = []
        var signals: [(any RunningContainer, Int32)] = []
        var cancels: [@Sendable () -> Void] = []
        let containers = KubeletPodStatus.containers(pod)
        pods.withLock { pods in
            guard var record = pods[uid] else { return }
            defer { pods[uid] = record }
            events = record.pendingEvents
            record.pendingEvents = []
            guard !record.terminating, let sandbox = record.sandbox else { return }
            for c in containers {
                let name = KubeletPodStatus.name(c)
                guard var r = record.containers[name], r.running, let instance = r.instance, let launch = r.launch else { continue }
                defer { record.containers[name] = r }
                // A kill the probes or a hook decided: Killing, SIGTERM, SIGKILL at the deadline.
                if let kill = r.pendingKill {
                    r.pendingKill = nil
                    events.append(.normal(name, "Killing", kill.message))
                    let grace = kill.grace ?? podGrace
                    r.killDeadline = now.addingTimeInterval(Double(max(0, grace)))
                    signals.append((instance, grace > 0 ? SIGTERM : SIGKILL))
                }
                if let deadline = r.killDeadline {
                    if now >= deadline { signals.append((instance, SIGKILL)) } else { note(deadline) }
                    continue
                }
                let target = HandlerTarget(container: instance, launch: launch, networkNamespacePath: sandbox.networkNamespacePath,
                                           podIP: record.address, containerName: name, podDescription: "\(record.name)_\(record.namespace)(\(uid))")
                if r.postStart == nil, let spec = c[path: "lifecycle", "postStart"] {
                    r.postStart = .running
                    switch Result(catching: { () throws(ContainerHandler.SpecError) in try ContainerHandler.parse(spec, container: c, hook: true) }) {
                    case .success(let handler): hooks.append((name, r.restartCount, handler, target))
                    case .failure(let error):
                        r.postStart = .done
                        events.append(.warning(name, "FailedPostStartHook", error.description))
                        r.pendingKill = ("FailedPostStartHook", nil)
                        note(now)
                    }
                }
                let since = r.probeSince ?? now
                r.probeSince = since
                let probes = ContainerProbe.all(c)
                for probe in probes {
                    var state = r.probes[probe.kind] ?? ProbeState()
                    defer { r.probes[probe.kind] = state }
                    if state.onHold { continue }
                    // The startup probe stops once it succeeded; the others wait for it.
                    let started = !probes.contains { $0.kind == .startup } || r.probes[.startup]?.result == true
                    if (probe.kind == .startup) == started { continue }
                    if let flight = state.inFlight {
                        let expires = flight.started.addingTimeInterval(probe.timeout)
                        guard now >= expires else { note(expires); continue }
                        cancels.append(flight.cancel)
                        state.inFlight = nil
                        let message = (try? probe.handler.get()).map { Self.timeoutMessage($0, podIP: record.address) } ?? "timed out"
                        Self.count(.failure(message), probe: probe, state: &state, container: &r, name: name, policy: policy, events: &events)
                    }
                    let due = state.lastAttempt.map { $0.addingTimeInterval(probe.period) } ?? since.addingTimeInterval(probe.initialDelay)
                    guard now >= due else { note(due); continue }
                    state.lastAttempt = now
                    state.attempts += 1
                    note(now.addingTimeInterval(min(probe.period, probe.timeout)))
                    switch probe.handler {
                    case .failure(let error):
                        Self.count(.failure(error.description), probe: probe, state: &state, container: &r, name: name, policy: policy,
                                   events: &events, verb: "errored")
                    case .success(.grpc):
                        // Not spoken here: the probe counts as succeeded, and the pod says so once.
                        if !state.warned {
                            state.warned = true
                            events.append(.warning(name, "ProbeWarning",
                                                   "\(probe.kind.rawValue) probe warning: gRPC probes are not run by Kubelite's process runtime; the probe counts as succeeded"))
                        }
                        Self.count(HandlerOutcome(success: true, output: ""), probe: probe, state: &state, container: &r, name: name,
                                   policy: policy, events: &events)
                    case .success(let handler):
                        state.inFlight = (now, state.attempts, {})
                        attempts.append(Attempt(container: name, restartCount: r.restartCount, probe: probe, handler: handler,
                                                number: state.attempts, target: target))
                    }
                }
                if r.pendingKill != nil { note(now) }
            }
        }
        for cancel in cancels { cancel() }
        for (instance, signal) in signals { instance.signal(signal) }
        for a in attempts { start(a, uid: uid, policy: policy) }
        for hook in hooks { runPostStart(hook.handler, target: hook.target, uid: uid, container: hook.container, restartCount: hook.restartCount) }
        return (wake, events)
    }

    private func start(_ a: Attempt, uid: String, policy: String) {
        let cancel = handlers.run(a.handler, in: a.target, timeout: a.probe.timeout) { [self] outcome in
            let notifyPod = pods.withLock { pods -> (String, String)? in
                guard var record = pods[uid], var r = record.containers[a.container], r.restartCount == a.restartCount,
                      var state = r.probes[a.probe.kind], state.inFlight?.attempt == a.number else { return nil }
                state.inFlight = nil
                var events: [ContainerEvent] = []
                let changed = Self.count(outcome, probe: a.probe, state: &state, container: &r, name: a.container, policy: policy, events: &events)
                r.probes[a.probe.kind] = state
                record.containers[a.container] = r
                record.pendingEvents += events
                pods[uid] = record
                return changed || !events.isEmpty ? (record.namespace, record.name) : nil
            }
            if let (namespace, name) = notifyPod { notify(namespace: namespace, name: name) }
        }
        pods.withLock { pods in
            guard let flight = pods[uid]?.containers[a.container]?.probes[a.probe.kind]?.inFlight, flight.attempt == a.number else { return }
            pods[uid]?.containers[a.container]?.probes[a.probe.kind]?.inFlight = (flight.started, flight.attempt, cancel)
        }
    }

    /// Counts one attempt's outcome (an `Unhealthy` event for each failure, as the kubelet records);
    /// a settled liveness or startup failure puts the probe on hold and asks for the kill. Returns
    /// whether a result settled (the pod's status may change).
    @discardableResult
    static func count(_ outcome: HandlerOutcome, probe: ContainerProbe, state: inout ProbeState, container: inout ProcessPod.ContainerRecord,
                      name: String, policy: String, events: inout [ContainerEvent], verb: String = "failed") -> Bool {
        if !outcome.success { events.append(.warning(name, "Unhealthy", "\(probe.kind.rawValue) probe \(verb): \(outcome.output)")) }
        guard let settled = state.count(outcome.success, probe) else { return false }
        if !settled, probe.kind != .readiness {
            state.onHold = true
            state.run = 0
            var message = "Container \(name) failed \(probe.kind.rawValue.lowercased()) probe"
            if policy != "Never" { message += ", will be restarted" }
            container.pendingKill = (message, probe.terminationGracePeriod)
        }
        return true
    }

    /// What upstream's probers report when an attempt outlives timeoutSeconds.
    static func timeoutMessage(_ handler: ContainerHandler, podIP: String? = nil) -> String {
        let defaultHost = podIP ?? "127.0.0.1"
        return switch handler {
        case .exec(let command): "command \"\(command.joined(separator: " "))\" timed out"
        case .tcpSocket(let host, let port): "dial tcp \(host ?? defaultHost):\(port): i/o timeout"
        case .httpGet(let get):
            "Get \"\(get.scheme.lowercased())://\(get.host ?? defaultHost):\(get.port)\(get.path)\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
        case .grpc(let port, _): "timeout: failed to connect service \":\(port)\" within 1s"
        case .sleep: "timed out"
        }
    }
}
