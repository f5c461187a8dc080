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
        /// The exec readiness probe of the current instance: its last result (nil before the first),
        /// whether one runs now, when the probing began and when it last ran.
        var probeReady: Bool?
        var probing = false
        var probeSince: Date?
        var lastProbe: Date?
        var started: Bool { instance != nil || termination != nil }
        var running: Bool { instance != nil && termination == nil }
    }

    func logPath(container: String, restartCount: Int) -> String {
        "\(directory)/\(container)/\(restartCount).log"
    }
}
