import APIMachinery
import Foundation

/// READY, STATUS and RESTARTS of a pod, computed as upstream's printPod does: the phase (or
/// status.reason) is refined by init containers still running, then by the containers' waiting or
/// terminated reasons (walked last to first), then by deletion.
struct PodStatusSummary {
    var readyContainers = 0
    var totalContainers = 0
    var reason = ""
    var restarts = 0
    var lastRestart: Date?

    init(_ pod: JSON) {
        let spec = pod["spec"] ?? .null
        let status = pod["status"] ?? .null
        let phase = PrinterFormat.string(status["phase"])
        totalContainers = PrinterFormat.array(spec["containers"]).count
        reason = phase
        if let statusReason = status["reason"]?.stringValue, !statusReason.isEmpty { reason = statusReason }

        for condition in PrinterFormat.array(status["conditions"])
        where condition["type"]?.stringValue == "PodScheduled" && condition["reason"]?.stringValue == "SchedulingGated" {
            reason = "SchedulingGated"
        }

        var restartableInit: Set<String> = []
        let initContainers = PrinterFormat.array(spec["initContainers"])
        for container in initContainers where container["restartPolicy"]?.stringValue == "Always" {
            restartableInit.insert(PrinterFormat.string(container["name"]))
            totalContainers += 1
        }

        var sidecarRestarts = 0
        var sidecarLastRestart: Date?
        var initializing = false
        for (i, container) in PrinterFormat.array(status["initContainerStatuses"]).enumerated() {
            let count = Int(PrinterFormat.int(container["restartCount"]))
            let finished = PrinterFormat.date(container[path: "lastState", "terminated", "finishedAt"])
            restarts += count
            lastRestart = Self.later(lastRestart, finished)
            let isSidecar = restartableInit.contains(PrinterFormat.string(container["name"]))
            if isSidecar {
                sidecarRestarts += count
                sidecarLastRestart = Self.later(sidecarLastRestart, finished)
            }
            let terminated = container[path: "state", "terminated"]
            let waitingReason = PrinterFormat.string(container[path: "state", "waiting", "reason"])
            if let terminated, !terminated.isNull, PrinterFormat.int(terminated["exitCode"]) == 0 {
                continue
            }
            if isSidecar, container["started"]?.boolValue == true {
                if container["ready"]?.boolValue == true { readyContainers += 1 }
                continue
            }
            if let terminated, !terminated.isNull {
                let terminatedReason = PrinterFormat.string(terminated["reason"])
                if terminatedReason.isEmpty {
                    let signal = PrinterFormat.int(terminated["signal"])
                    reason = signal != 0 ? "Init:Signal:\(signal)" : "Init:ExitCode:\(PrinterFormat.int(terminated["exitCode"]))"
                } else {
                    reason = "Init:" + terminatedReason
                }
            } else if !waitingReason.isEmpty, waitingReason != "PodInitializing" {
                reason = "Init:" + waitingReason
            } else {
                reason = "Init:\(i)/\(initContainers.count)"
            }
            initializing = true
            break
        }

        let initialized = PrinterFormat.condition(status["conditions"], "Initialized")?["status"]?.stringValue == "True"
        if !initializing || initialized {
            restarts = sidecarRestarts
            lastRestart = sidecarLastRestart
            var hasRunning = false
            for container in PrinterFormat.array(status["containerStatuses"]).reversed() {
                restarts += Int(PrinterFormat.int(container["restartCount"]))
                lastRestart = Self.later(lastRestart, PrinterFormat.date(container[path: "lastState", "terminated", "finishedAt"]))
                let waitingReason = PrinterFormat.string(container[path: "state", "waiting", "reason"])
                let terminated = container[path: "state", "terminated"].flatMap { $0.isNull ? nil : $0 }
                let running = container[path: "state", "running"].flatMap { $0.isNull ? nil : $0 }
                if !waitingReason.isEmpty {
                    reason = waitingReason
                } else if let terminated, !PrinterFormat.string(terminated["reason"]).isEmpty {
                    reason = PrinterFormat.string(terminated["reason"])
                } else if let terminated {
                    let signal = PrinterFormat.int(terminated["signal"])
                    reason = signal != 0 ? "Signal:\(signal)" : "ExitCode:\(PrinterFormat.int(terminated["exitCode"]))"
                } else if container["ready"]?.boolValue == true, running != nil {
                    hasRunning = true
                    readyContainers += 1
                }
            }
            if reason == "Completed", hasRunning {
                let ready = PrinterFormat.condition(status["conditions"], "Ready")?["status"]?.stringValue == "True"
                reason = ready ? "Running" : "NotReady"
            }
        }

        if PrinterFormat.isDeleting(pod) {
            if status["reason"]?.stringValue == PodTable.nodeUnreachableReason {
                reason = "Unknown"
            } else if phase != "Succeeded", phase != "Failed" {
                reason = "Terminating"
            }
        }
    }

    private static func later(_ a: Date?, _ b: Date?) -> Date? {
        guard let b else { return a }
        guard let a else { return b }
        return b > a ? b : a
    }
}
