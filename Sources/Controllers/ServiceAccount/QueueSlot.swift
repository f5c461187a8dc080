import ControllerRuntime
import Synchronization

/// A controller's work queue, made in `register` and run in `start` (controllers are values).
final class QueueSlot: Sendable {
    private let queue = Mutex<WorkQueue<String>?>(nil)
    func set(_ value: WorkQueue<String>) { queue.withLock { $0 = value } }
    func get() -> WorkQueue<String>? { queue.withLock { $0 } }
}
