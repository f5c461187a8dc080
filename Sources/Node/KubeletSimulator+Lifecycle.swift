import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension KubeletSimulator {
    /// Graceful termination: Killing events when the deletion is first seen, then, once the grace
    /// period × `terminationGraceScale` has passed, the containers stop (exit 0) and the pod is
    /// removed with a DELETE of grace period 0, guarded by its UID.
    func terminate(_ pod: JSON, key: Informer.ObjectName, record: PodRecord, _ context: ControllerContext) {
        let now = context.timers.now()
        let since = record.terminatingSince ?? now
        let grace = max(0, pod.meta.deletionGracePeriodSeconds ?? 0)
        // A real kubelet takes a moment to stop containers even with no grace period; the floor keeps
        // clients that delete then watch for the deletion (kubectl delete) from missing it when the
        // controller recreates a pod of the same name at once.
        let removeAt = since.addingTimeInterval(max(Double(grace) * options.terminationGraceScale, options.minimumTermination.seconds))
        // The wake-up is set before the events, so whoever sees them can rely on it.
        if now < removeAt { queue.addAfter(key, .seconds(removeAt.timeIntervalSince(now))) }
        if record.terminatingSince == nil {
            state.withLock { $0.pods[key]?.terminatingSince = now }
            announceStop(pod, context)
        }
        if now < removeAt { return }
        let phase = PodView(pod).phase ?? "Pending"
        if phase == "Running" {
            let stopped = KubeletPodStatus.terminated(pod, exitCode: 0, now: now)
            if stopped != pod["status"], !write(stopped, of: pod, key: key, context) { return }
        }
        removePod(key, uid: record.uid, context)
    }

    /// The kubelet's final DELETE (grace period 0, guarded by the UID), then the pod is forgotten;
    /// a failure other than the pod being gone or replaced retries later.
    func removePod(_ key: Informer.ObjectName, uid: String, _ context: ControllerContext) {
        var options = DeleteOptions()
        options.gracePeriodSeconds = 0
        options.preconditionUID = uid
        do {
            _ = try context.client(Self.pods).delete(namespace: key.namespace, name: key.name, options: options)
        } catch {
            // Gone already, or replaced by a new pod of the same name: nothing left to remove.
            if !error.isNotFound && !error.isConflict {
                context.logger.warning("removing pod failed", metadata: ["pod": "\(key.namespace)/\(key.name)", "error": "\(error)"])
                queue.addRateLimited(key)
                return
            }
        }
        forget(key)
    }

    /// The kubelet's events for starting a pod's containers, init containers first.
    func announceStart(_ pod: JSON, node: String, _ context: ControllerContext) {
        let groups = [("initContainers", KubeletPodStatus.initContainers(pod)), ("containers", KubeletPodStatus.containers(pod))]
        for (field, containers) in groups {
            for c in containers {
                let name = KubeletPodStatus.name(c)
                let image = c["image"]?.stringValue ?? ""
                let fieldPath = "spec.\(field){\(name)}"
                func event(_ reason: String, _ message: String) {
                    context.events.record(pod, type: .normal, reason: reason, message: message, component: "kubelet",
                                          fieldPath: fieldPath, host: node)
                }
                if c["imagePullPolicy"]?.stringValue == "Always" {
                    event("Pulling", "Pulling image \"\(image)\"")
                    event("Pulled", "Successfully pulled image \"\(image)\" in 0s (0s including waiting). Image size: 0 bytes.")
                } else {
                    event("Pulled", "Container image \"\(image)\" already present on machine")
                }
                event("Created", "Created container: \(name)")
                event("Started", "Started container \(name)")
            }
        }
    }

    /// `Killing` for every container still running when the pod's deletion is seen.
    func announceStop(_ pod: JSON, _ context: ControllerContext) {
        let node = pod[path: "spec", "nodeName"]?.stringValue
        let groups = [("initContainers", pod[path: "status", "initContainerStatuses"]), ("containers", pod[path: "status", "containerStatuses"])]
        for (field, statuses) in groups {
            for s in statuses?.arrayValue ?? [] where s[path: "state", "running"] != nil {
                let name = s["name"]?.stringValue ?? ""
                context.events.record(pod, type: .normal, reason: "Killing", message: "Stopping container \(name)", component: "kubelet",
                                      fieldPath: "spec.\(field){\(name)}", host: node)
            }
        }
    }
}
