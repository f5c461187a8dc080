import APIMachinery
import Foundation

/// Lifecycle hooks as the kubelet runs them: postStart right after the container started (its
/// failure kills the container, `FailedPostStartHook`), preStop when the pod is deleted, before
/// the container's SIGTERM and within the grace period (its failure is an event,
/// `FailedPreStopHook`, and SIGTERM follows all the same).
extension ProcessPodRuntime {
    func runPostStart(_ handler: ContainerHandler, target: HandlerTarget, uid: String, container: String, restartCount: Int) {
        _ = handlers.run(handler, in: target, timeout: 30) { [self] outcome in
            let changed = pods.withLock { pods -> (String, String)? in
                guard var record = pods[uid], var r = record.containers[container], r.restartCount == restartCount else { return nil }
                r.postStart = .done
                if !outcome.success {
                    record.pendingEvents.append(.warning(container, "FailedPostStartHook", Self.hookFailure(handler, outcome, target)))
                    if r.running { r.pendingKill = ("FailedPostStartHook", nil) }
                }
                record.containers[container] = r
                pods[uid] = record
                return outcome.success ? nil : (record.namespace, record.name)
            }
            if let (namespace, name) = changed { notify(namespace: namespace, name: name) }
        }
    }

    /// Starts graceful termination: each running container's preStop hook, then its SIGTERM (at
    /// once for a container without one); nothing restarts after. The kubelet kills what is left
    /// when the grace period ends.
    public func terminate(uid: String, pod: JSON) {
        let grace = Double(max(1, pod.meta.deletionGracePeriodSeconds ?? 30))
        var hooks: [(String, ContainerHandler, HandlerTarget)] = []
        var signals: [any RunningContainer] = []
        var failed: [ContainerEvent] = []
        pods.withLock { pods in
            guard var record = pods[uid] else { return }
            defer { pods[uid] = record }
            record.terminating = true
            for c in KubeletPodStatus.initContainers(pod) + KubeletPodStatus.containers(pod) {
                let name = KubeletPodStatus.name(c)
                guard var r = record.containers[name], r.running, let instance = r.instance else { continue }
                defer { record.containers[name] = r }
                guard r.preStop == nil, let spec = c[path: "lifecycle", "preStop"], let sandbox = record.sandbox, let launch = r.launch else {
                    if r.preStop == nil { signals.append(instance) }
                    continue
                }
                r.preStop = .running
                let target = HandlerTarget(container: instance, launch: launch, networkNamespacePath: sandbox.networkNamespacePath,
                                           podIP: record.address, containerName: name, podDescription: "\(record.name)_\(record.namespace)(\(uid))")
                do {
                    hooks.append((name, try ContainerHandler.parse(spec, container: c, hook: true), target))
                } catch {
                    r.preStop = .done
                    failed.append(.warning(name, "FailedPreStopHook", "\(error)"))
                    signals.append(instance)
                }
            }
            // Containers the spec no longer lists (or never did) still end.
            for (name, r) in record.containers where r.running && r.preStop == nil
                && !(KubeletPodStatus.initContainers(pod) + KubeletPodStatus.containers(pod)).contains(where: { KubeletPodStatus.name($0) == name }) {
                if let instance = r.instance { signals.append(instance) }
            }
            record.pendingEvents += failed
        }
        for instance in signals { instance.signal(SIGTERM) }
        for (name, handler, target) in hooks {
            _ = handlers.run(handler, in: target, timeout: grace) { [self] outcome in
                let pod = pods.withLock { pods -> (String, String)? in
                    guard pods[uid] != nil else { return nil }
                    pods[uid]?.containers[name]?.preStop = .done
                    if !outcome.success {
                        pods[uid]?.pendingEvents.append(.warning(name, "FailedPreStopHook", Self.hookFailure(handler, outcome, target)))
                    }
                    return (pods[uid]!.namespace, pods[uid]!.name)
                }
                target.container.signal(SIGTERM)
                if let (namespace, name) = pod, !outcome.success { notify(namespace: namespace, name: name) }
            }
        }
    }

    /// Events owed to the kubelet since its last look.
    public func takeEvents(uid: String) -> [ContainerEvent] {
        pods.withLock { pods in
            defer { pods[uid]?.pendingEvents = [] }
            return pods[uid]?.pendingEvents ?? []
        }
    }

    /// upstream's handlerRunner messages (pkg/kubelet/lifecycle/handlers.go).
    static func hookFailure(_ handler: ContainerHandler, _ outcome: HandlerOutcome, _ target: HandlerTarget) -> String {
        let where_ = "for Container \(goQuote(target.containerName)) in Pod \(goQuote(target.podDescription)) failed"
        switch handler {
        case .exec(let command):
            let error = outcome.exitCode.map { "command '\(command.joined(separator: " "))' exited with \($0): " } ?? outcome.output
            return "Exec lifecycle hook ([\(command.joined(separator: " "))]) \(where_) - error: \(error), message: \(goQuote(outcome.output))"
        case .httpGet(let get):
            return "HTTP lifecycle hook (\(get.path)) \(where_) - error: \(outcome.output)"
        default:
            return "Lifecycle hook \(where_) - error: \(outcome.output)"
        }
    }

    /// Go's %q for the text the kubelet quotes.
    static func goQuote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }
}
