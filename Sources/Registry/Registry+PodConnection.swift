import APIMachinery
import Synchronization

/// Where the Registry keeps the node's `PodConnection`: wired once at start-up, after the node's
/// runtime exists (the Registry is made first, since the node writes through it).
final class PodConnectionSlot: Sendable {
    private let connection = Mutex<(any PodConnection)?>(nil)

    func set(_ value: any PodConnection) { connection.withLock { $0 = value } }
    func get() -> (any PodConnection)? { connection.withLock { $0 } }
}

extension Registry {
    /// Connects `pods/exec`, `pods/attach` and `pods/log` to the node that runs the pods.
    public func connectPods(_ connection: any PodConnection) { podConnectionSlot.set(connection) }

    /// The node's answer to exec, attach and log requests; nil until `connectPods`.
    public var podConnection: (any PodConnection)? { podConnectionSlot.get() }
}
