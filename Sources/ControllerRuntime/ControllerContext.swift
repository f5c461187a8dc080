import APIMachinery
import Foundation
import Logging
import Registry
import Storage
import Synchronization

/// What every controller gets: the registry to write through (same defaults, validation and
/// conflicts as any client), shared informers, timers, an event recorder and a logger.
public final class ControllerContext: Sendable {
    public let registry: Registry
    public let timers: any Timers
    public let events: EventRecorder
    public let logger: Logger
    private let informers = Mutex<[GroupResource: Informer]>([:])

    /// Informers watch through the registry's stores (its watch hub).
    public init(registry: Registry, timers: any Timers, logger: Logger = Logger(label: "kubelite.controllers")) {
        self.registry = registry
        self.timers = timers
        self.logger = logger
        self.events = EventRecorder(registry: registry, timers: timers)
    }

    /// The shared informer of a resource (`pods`, `statefulsets.apps`), created on first use and
    /// started by `startInformers`.
    public func informer(_ resource: GroupResource) -> Informer {
        informers.withLock { all in
            if let existing = all[resource] { return existing }
            let informer = Informer(resource: resource.description)
            all[resource] = informer
            return informer
        }
    }

    /// Starts every informer requested so far and waits for their caches to fill.
    public func startInformers() {
        beginInformers()
        waitForInformers()
    }

    /// Starts every informer requested so far; their caches fill on their reflectors' threads.
    func beginInformers() {
        let all = informers.withLock { Array($0.values) }
        // One already synced is fed by something else (a test's own watch).
        for informer in all where !informer.hasSynced { start(informer) }
    }

    /// Starts an informer on its resource's store in the registry (once; later calls do nothing).
    public func start(_ informer: Informer) {
        informer.start(ResourceStoreListerWatcher(store: store(GroupResource(parsing: informer.resource))),
                       timers: timers, logger: logger)
    }

    /// Ends every informer's watch; their caches no longer change nor call handlers.
    public func stopInformers() {
        for informer in informers.withLock({ Array($0.values) }) { informer.stop() }
    }

    func waitForInformers() {
        for informer in informers.withLock({ Array($0.values) }) { informer.waitForSync() }
    }

    /// The store of a resource; controllers only ask for served resources.
    public func store(_ resource: GroupResource) -> ResourceStore {
        guard let store = registry.store(resource) else { preconditionFailure("\(resource) is not served") }
        return store
    }
}

/// A controller: registers informer handlers in `register`, then runs its workers in `start`.
public protocol Controller: Sendable {
    var name: String { get }
    /// Whether `start` needs the informers' caches filled (the default). One that follows storage
    /// itself (the garbage collector) starts while they fill: with many stored objects both take
    /// long, and the server is not ready before every controller has started.
    var waitsForCacheSync: Bool { get }
    func register(_ context: ControllerContext)
    func start(_ context: ControllerContext)
}

extension Controller {
    public var waitsForCacheSync: Bool { true }
}

/// Starts controllers the way kube-controller-manager does: handlers first, then the caches, then
/// the workers, so no worker reads a cache that has not synced.
public enum ControllerManager {
    public static func start(_ controllers: [any Controller], context: ControllerContext) {
        for c in controllers { c.register(context) }
        context.beginInformers()
        for c in controllers where !c.waitsForCacheSync { start(c, context) }
        context.waitForInformers()
        for c in controllers where c.waitsForCacheSync { start(c, context) }
    }

    private static func start(_ controller: any Controller, _ context: ControllerContext) {
        controller.start(context)
        context.logger.debug("started controller", metadata: ["controller": "\(controller.name)"])
    }
}
