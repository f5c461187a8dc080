import Logging
import Registry

/// Controllers started together on a context of their own, which can be stopped together: the
/// controllers of one leadership term. Stopping ends their informers' watches, drops their
/// pending timers and shuts their work queues down; a sync already running finishes (client-go's
/// workers also finish the item in hand when their context ends).
public final class RunningControllers: Sendable {
    public let context: ControllerContext
    private let timers: StoppableTimers

    /// Registers, syncs and starts `controllers` as `ControllerManager.start` does, on a fresh
    /// context (informers of their own) whose timers wrap `timers`. Blocks until started.
    public init(_ controllers: [any Controller], registry: Registry, timers: any Timers, logger: Logger) {
        self.timers = StoppableTimers(timers)
        context = ControllerContext(registry: registry, timers: self.timers, logger: logger)
        ControllerManager.start(controllers, context: context)
    }

    /// Stops them; they are not started again (a new term starts new ones).
    public func stop() {
        timers.stop()
        context.stopInformers()
    }
}
