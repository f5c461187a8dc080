import APIMachinery
import Foundation

/// What the process runtime knows of one pod: its sandbox and each container's instances.
struct ProcessPod {
    var namespace: String
    var name: String
    var uid: String
    /// `<root>/pods/<namespace>_<name>_<uid>`, as the kubelet names a pod's log directory.
    var directory: String
    var sandbox: PodSandbox?
    /// The pod's address on the node's bridge (nil: loopback only); probes and hooks dial it.
    var address: String?
    var containers: [String: ContainerRecord] = [:]
    /// Set once the pod's deletion is acted on: no container is started again.
    var terminating = false
    /// The pod ended for good (restartPolicy does not restart it); its phase is final.
    var finished = false
    /// Warning events for the kubelet to record (MissingClusterDNS).
    var events: [(reason: String, message: String)] = []

    /// One container across its restarts.
    struct ContainerRecord {
        var restartCount = 0
        var instance: (any RunningContainer)?
        /// What the current instance was started with (exec runs with its environment and directory).
        var launch: ContainerLaunch?
        /// How the current instance ended (nil while it runs or before it started).
        var termination: ContainerTermination?
        /// The instance before the current one (the kubelet's lastState).
        var lastTermination: ContainerTermination?
        /// Why the container is not running (ErrImagePull, CreateContainerConfigError, ...).
        var waiting: (reason: String, message: String)?
        /// Attempts to "pull" an image that is not in the catalog, for ImagePullBackOff.
        var pullAttempts = 0
        var nextAttempt: Date?
        /// The current instance's probes, and when the kubelet first saw it running (initialDelaySeconds
        /// counts from there, on the kubelet's clock).
        var probes: [ContainerProbe.Kind: ProbeState] = [:]
        var probeSince: Date?
        /// A kill the kubelet decided (a failed liveness or startup probe, a failed postStart hook):
        /// the Killing event's message and the grace period, then when SIGKILL follows SIGTERM.
        var pendingKill: (message: String, grace: Int?)?
        var killDeadline: Date?
        /// The postStart hook of the current instance: started, and whether it has ended.
        var postStart: HookState?
        /// The preStop hook on deletion; SIGTERM follows its end.
        var preStop: HookState?
        /// Forgets what belonged to the instance that ended (before the next starts).
        mutating func resetInstanceState() {
            (probes, probeSince, pendingKill, killDeadline, postStart, preStop) = ([:], nil, nil, nil, nil, nil)
        }
        var started: Bool { instance != nil || termination != nil }
        var running: Bool { instance != nil && termination == nil }
    }

    /// Events the runtime owes the kubelet (probe and hook results arrive off its thread); the
    /// kubelet records them on its next sync.
    var pendingEvents: [ContainerEvent] = []

    enum HookState { case running, done }

    func logPath(container: String, restartCount: Int) -> String {
        "\(directory)/\(container)/\(restartCount).log"
    }
}
