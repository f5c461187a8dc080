import APIMachinery
import ControllerRuntime
import Foundation

/// The pod status a 1.32 kubelet reports at each stage, computed from the pod and the status
/// already stored (container IDs, start times and condition transition times carry over, so
/// computing twice without a change gives the same status and no write).
enum KubeletPodStatus {
    /// Kubelet-owned condition types, in the order the kubelet writes them.
    static let ownedConditions = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]

    /// A condition the kubelet computes; reason and message are omitted when empty.
    struct Condition {
        var type: String
        var status: Bool
        var reason = ""
        var message = ""
    }

    /// Admitted, containers being created (shown while `--pod-start-delay` lasts).
    static func pending(_ pod: JSON, hostIP: String, now: Date) -> JSON {
        let old = pod["status"] ?? [:]
        let inits = regularInitContainers(pod)
        let waitingReason = inits.isEmpty ? "ContainerCreating" : "PodInitializing"
        let initStatuses = initContainers(pod).map {
            containerStatus($0, old: nil, pod: pod, state: ["waiting": ["reason": "PodInitializing"]], ready: false, started: false, running: false)
        }
        let statuses = containers(pod).map {
            containerStatus($0, old: nil, pod: pod, state: ["waiting": .object(["reason": .string(waitingReason)])], ready: false, started: false, running: false)
        }
        let names = containers(pod).map(name)
        let conditions = [
            Condition(type: "PodReadyToStartContainers", status: false),
            inits.isEmpty ? Condition(type: "Initialized", status: true)
                : Condition(type: "Initialized", status: false, reason: "ContainersNotInitialized",
                            message: "containers with incomplete status: [\(inits.map(name).joined(separator: " "))]"),
            Condition(type: "Ready", status: false, reason: "ContainersNotReady", message: unreadyMessage(names)),
            Condition(type: "ContainersReady", status: false, reason: "ContainersNotReady", message: unreadyMessage(names)),
            Condition(type: "PodScheduled", status: true),
        ]
        return assemble(old: old, phase: "Pending", conditions: conditions, hostIP: hostIP, podIP: nil,
                        initStatuses: initStatuses, statuses: statuses, now: now)
    }

    /// Containers running since their recorded start (or `now`); readiness follows probes'
    /// initialDelaySeconds and `unready` (the steering annotation). `nextChange` is when a
    /// container becomes started or ready, if that is still to come.
    static func running(_ pod: JSON, hostIP: String, podIP: String, unready: Bool, now: Date) -> (status: JSON, nextChange: Date?) {
        let old = pod["status"] ?? [:]
        var next: Date?
        func note(_ date: Date) { if date > now, next.map({ date < $0 }) ?? true { next = date } }
        func runningStatus(_ c: JSON, previous: JSON?) -> (JSON, ready: Bool) {
            let startedAt = (previous?[path: "state", "running", "startedAt"]?.stringValue).flatMap(Timestamp.parse) ?? now
            let startedTime = startedAt.addingTimeInterval(Double(delay(c["startupProbe"])))
            let readyTime = startedTime.addingTimeInterval(Double(delay(c["readinessProbe"])))
            note(startedTime); note(readyTime)
            let started = now >= startedTime
            let ready = started && now >= readyTime && !unready
            let state: JSON = ["running": ["startedAt": .string(Timestamp.format(startedAt))]]
            return (containerStatus(c, old: previous, pod: pod, state: state, ready: ready, started: started, running: true), ready)
        }
        let oldInit = old["initContainerStatuses"]?.arrayValue ?? []
        let oldMain = old["containerStatuses"]?.arrayValue ?? []
        var initStatuses: [JSON] = []
        var notReady: [String] = []
        for c in initContainers(pod) {
            let previous = oldInit.first { $0["name"] == c["name"] }
            if c["restartPolicy"]?.stringValue == "Always" {
                let (status, ready) = runningStatus(c, previous: previous)
                if !ready { notReady.append(name(c)) }
                initStatuses.append(status)
            } else {
                let at = previous?[path: "state", "terminated", "finishedAt"] ?? .string(Timestamp.format(now))
                let state: JSON = ["terminated": ["exitCode": 0, "reason": "Completed", "startedAt": at, "finishedAt": at,
                                                  "containerID": .string(containerID(pod, c))]]
                initStatuses.append(containerStatus(c, old: previous, pod: pod, state: state, ready: true, started: false, running: false))
            }
        }
        let statuses: [JSON] = containers(pod).map { c in
            let (status, ready) = runningStatus(c, previous: oldMain.first { $0["name"] == c["name"] })
            if !ready { notReady.append(name(c)) }
            return status
        }
        let containersReady = notReady.isEmpty
            ? Condition(type: "ContainersReady", status: true)
            : Condition(type: "ContainersReady", status: false, reason: "ContainersNotReady", message: unreadyMessage(notReady))
        var ready = containersReady
        ready.type = "Ready"
        if notReady.isEmpty, let gates = unmetReadinessGates(pod) {
            ready = Condition(type: "Ready", status: false, reason: "ReadinessGatesNotReady", message: gates)
        }
        let conditions = [Condition(type: "PodReadyToStartContainers", status: true), Condition(type: "Initialized", status: true),
                          ready, containersReady, Condition(type: "PodScheduled", status: true)]
        let status = assemble(old: old, phase: "Running", conditions: conditions, hostIP: hostIP, podIP: podIP,
                              initStatuses: initStatuses, statuses: statuses, now: now)
        return (status, next)
    }

    /// Every container stopped with `exitCode` (0: Completed, otherwise Error); the phase is
    /// Succeeded when all exited 0, otherwise Failed.
    static func terminated(_ pod: JSON, exitCode: Int64, now: Date) -> JSON {
        let old = pod["status"] ?? [:]
        let stamp = JSON.string(Timestamp.format(now))
        func stopped(_ c: JSON, _ previous: JSON?) -> JSON {
            if let done = previous?[path: "state", "terminated"] {
                return containerStatus(c, old: previous, pod: pod, state: ["terminated": done], ready: false, started: false, running: false)
            }
            let startedAt = previous?[path: "state", "running", "startedAt"] ?? stamp
            let state: JSON = ["terminated": ["exitCode": .int(exitCode), "reason": exitCode == 0 ? "Completed" : "Error",
                                              "startedAt": startedAt, "finishedAt": stamp, "containerID": .string(containerID(pod, c))]]
            return containerStatus(c, old: previous, pod: pod, state: state, ready: false, started: false, running: false)
        }
        let oldInit = old["initContainerStatuses"]?.arrayValue ?? []
        let oldMain = old["containerStatuses"]?.arrayValue ?? []
        let initStatuses = initContainers(pod).map { c in stopped(c, oldInit.first { $0["name"] == c["name"] }) }
        let statuses = containers(pod).map { c in stopped(c, oldMain.first { $0["name"] == c["name"] }) }
        let failed = exitCode != 0
        let reason = failed ? "PodFailed" : "PodCompleted"
        let conditions = [
            Condition(type: "PodReadyToStartContainers", status: false), Condition(type: "Initialized", status: true),
            Condition(type: "Ready", status: false, reason: reason), Condition(type: "ContainersReady", status: false, reason: reason),
            Condition(type: "PodScheduled", status: true),
        ]
        return assemble(old: old, phase: failed ? "Failed" : "Succeeded", conditions: conditions,
                        hostIP: old["hostIP"]?.stringValue ?? "", podIP: old["podIP"]?.stringValue,
                        initStatuses: initStatuses, statuses: statuses, now: now)
    }

    // MARK: pieces

    static func containers(_ pod: JSON) -> [JSON] { pod[path: "spec", "containers"]?.arrayValue ?? [] }
    static func initContainers(_ pod: JSON) -> [JSON] { pod[path: "spec", "initContainers"]?.arrayValue ?? [] }
    static func regularInitContainers(_ pod: JSON) -> [JSON] {
        initContainers(pod).filter { $0["restartPolicy"]?.stringValue != "Always" }
    }
    static func name(_ c: JSON) -> String { c["name"]?.stringValue ?? "" }
    static func unreadyMessage(_ names: [String]) -> String { "containers with unready status: [\(names.joined(separator: " "))]" }

    /// A probe's initialDelaySeconds (0 without a probe).
    static func delay(_ probe: JSON?) -> Int64 { max(0, probe?["initialDelaySeconds"]?.intValue ?? 0) }

    /// Upstream's message for readiness gates whose condition is missing or not True, or nil.
    static func unmetReadinessGates(_ pod: JSON) -> String? {
        let view = PodView(pod)
        var messages: [String] = []
        for type in view.readinessGates {
            guard let status = view.condition(type)?.status else {
                messages.append("corresponding condition of pod readiness gate \"\(type)\" does not exist.")
                continue
            }
            if status != "True" { messages.append("the status of pod readiness gate \"\(type)\" is not \"True\", but \(status)") }
        }
        return messages.isEmpty ? nil : messages.joined(separator: ", ")
    }

    static func containerID(_ pod: JSON, _ c: JSON) -> String {
        "kubelite://" + NodeTemplate.stableHex(pod.meta.uid + "/" + name(c), length: 64)
    }

    /// The image as containerd reports it: `redis:5-alpine` → `docker.io/library/redis:5-alpine`.
    static func normalizedImage(_ image: String) -> String {
        var name = image
        let first = name.split(separator: "/").first.map(String.init) ?? name
        let hasRegistry = name.contains("/") && (first.contains(".") || first.contains(":") || first == "localhost")
        if !hasRegistry { name = (name.contains("/") ? "docker.io/" : "docker.io/library/") + name }
        let last = name.split(separator: "/").last.map(String.init) ?? name
        if !last.contains(":"), !name.contains("@") { name += ":latest" }
        return name
    }

    static func imageID(_ image: String) -> String {
        let normalized = normalizedImage(image)
        let repository = normalized.split(separator: "@").first.map(String.init) ?? normalized
        let lastSlash = repository.lastIndex(of: "/") ?? repository.startIndex
        let base = repository[lastSlash...].contains(":") ? String(repository[..<repository.lastIndex(of: ":")!]) : repository
        return base + "@sha256:" + NodeTemplate.stableHex(normalized, length: 64)
    }

    static func containerStatus(_ c: JSON, old: JSON?, pod: JSON, state: JSON, ready: Bool, started: Bool, running: Bool) -> JSON {
        let image = c["image"]?.stringValue ?? ""
        let created = running || state["terminated"] != nil
        var status: JSONObject = [
            "name": c["name"] ?? "", "state": state, "lastState": old?["lastState"] ?? [:],
            "ready": .bool(ready), "restartCount": old?["restartCount"] ?? 0,
            "image": .string(created ? normalizedImage(image) : image),
            "imageID": .string(created ? imageID(image) : ""),
        ]
        if created { status["containerID"] = .string(containerID(pod, c)) }
        status["started"] = .bool(started)
        if created {
            let mounts: [JSON] = (c["volumeMounts"]?.arrayValue ?? []).map { m in
                var mount: JSONObject = ["name": m["name"] ?? "", "mountPath": m["mountPath"] ?? ""]
                if m["readOnly"]?.boolValue == true {
                    mount["readOnly"] = true
                    mount["recursiveReadOnly"] = m["recursiveReadOnly"] ?? "Disabled"
                }
                return .object(mount)
            }
            if !mounts.isEmpty { status["volumeMounts"] = .array(mounts) }
        }
        return .object(status)
    }

    /// The status in the field order of Go's PodStatus, keeping fields the kubelet does not own.
    static func assemble(old: JSON, phase: String, conditions: [Condition], hostIP: String, podIP: String?,
                         initStatuses: [JSON], statuses: [JSON], now: Date) -> JSON {
        let stamp = JSON.string(Timestamp.format(now))
        let oldConditions = old["conditions"]?.arrayValue ?? []
        var merged = oldConditions.filter { !ownedConditions.contains($0["type"]?.stringValue ?? "") }
        for c in conditions {
            let status = c.status ? "True" : "False"
            let before = oldConditions.first { $0["type"]?.stringValue == c.type }
            let transition = before?["status"]?.stringValue == status ? (before?["lastTransitionTime"] ?? stamp) : stamp
            var condition: JSONObject = ["type": .string(c.type), "status": .string(status), "lastProbeTime": nil,
                                         "lastTransitionTime": transition]
            if !c.reason.isEmpty { condition["reason"] = .string(c.reason) }
            if !c.message.isEmpty { condition["message"] = .string(c.message) }
            merged.append(.object(condition))
        }
        var status: JSONObject = ["phase": .string(phase), "conditions": .array(merged)]
        for key in ["message", "reason", "nominatedNodeName"] { if let v = old[key] { status[key] = v } }
        if !hostIP.isEmpty {
            status["hostIP"] = .string(hostIP)
            status["hostIPs"] = [["ip": .string(hostIP)]]
        }
        if let podIP, !podIP.isEmpty {
            status["podIP"] = .string(podIP)
            status["podIPs"] = [["ip": .string(podIP)]]
        }
        status["startTime"] = old["startTime"] ?? stamp
        if !initStatuses.isEmpty { status["initContainerStatuses"] = .array(initStatuses) }
        status["containerStatuses"] = .array(statuses)
        if let qos = old["qosClass"] { status["qosClass"] = qos }
        for (key, value) in old.objectValue ?? [:] where status[key] == nil && !["podIP", "podIPs", "hostIP", "hostIPs"].contains(key) {
            status[key] = value
        }
        return .object(status)
    }
}
