import APIMachinery
import Foundation
import Logging
import Registry
import Storage
import Synchronization

/// What every controller gets: a client of each resource to write through as its own user (same
/// defaults, validation, conflicts and authorization as any client), shared informers, timers, an
/// event recorder and a logger. The manager's context acts as the server; each controller gets
/// one acting as its `ControllerUser`, sharing the informers.
public final class ControllerContext: Sendable {
    public let registry: Registry
    public let timers: any Timers
    public let events: EventRecorder
    public let logger: Logger
    /// Who this context's clients write as; nil: the server itself.
    public let acting: ControllerUser?
    private let informers: SharedInformers

    /// Informers watch through the registry's stores (its watch hub).
    public convenience init(registry: Registry, timers: any Timers, logger: Logger = Logger(label: "kubelite.controllers")) {
        self.init(registry: registry, timers: timers, logger: logger, acting: nil, informers: SharedInformers())
    }

    private init(registry: Registry, timers: any Timers, logger: Logger, acting: ControllerUser?, informers: SharedInformers) {
        self.registry = registry
        self.timers = timers
        self.logger = logger
        self.acting = acting
        self.informers = informers
        let events = registry.store(group: "", plural: "events")
            .map { ResourceClient(store: $0, registry: registry, acting: acting, logger: logger) }
        self.events = EventRecorder(events: events, timers: timers)
    }

    /// The same informers and timers, with clients (and an event recorder) acting as `user`.
    public func acting(as user: ControllerUser?) -> ControllerContext {
        var logger = self.logger
        logger[metadataKey: "user"] = user.map { "\($0.user.username)" }
        return ControllerContext(registry: registry, timers: timers, logger: logger, acting: user, informers: informers)
    }

    /// The shared informer of a resource (`pods`, `statefulsets.apps`), created on first use and
    /// started by `startInformers`.
    public func informer(_ resource: GroupResource) -> Informer {
        informers.all.withLock { all in
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
        let all = informers.all.withLock { Array($0.values) }
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
        for informer in informers.all.withLock({ Array($0.values) }) { informer.stop() }
    }

    func waitForInformers() {
        for informer in informers.all.withLock({ Array($0.values) }) { informer.waitForSync() }
    }

    /// The store of a resource; controllers only ask for served resources.
    public func store(_ resource: GroupResource) -> ResourceStore {
        guard let store = registry.store(resource) else { preconditionFailure("\(resource) is not served") }
        return store
    }

    /// A client of a resource acting as this context's user.
    public func client(_ resource: GroupResource) -> ResourceClient {
        client(store(resource))
    }

    /// A client of `store` (a custom resource's, one found by kind) acting as this context's user.
    public func client(_ store: ResourceStore) -> ResourceClient {
        ResourceClient(store: store, registry: registry, acting: acting, logger: logger)
    }
}

/// The informers every controller's context shares, by resource.
final class SharedInformers: Sendable {
    let all = Mutex<[GroupResource: Informer]>([:])
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
    /// Each controller gets a context acting as its user (`ControllerUser.of`), sharing `context`'s
    /// informers; the ServiceAccounts those users are get made in kube-system first.
    public static func start(_ controllers: [any Controller], context: ControllerContext) {
        let contexts = controllers.map { context.acting(as: ControllerUser.of($0.name)) }
        ControllerServiceAccounts.ensure(for: contexts.map(\.acting), context: context)
        for (c, own) in zip(controllers, contexts) { c.register(own) }
        context.beginInformers()
        for (c, own) in zip(controllers, contexts) where !c.waitsForCacheSync { start(c, own) }
        context.waitForInformers()
        for (c, own) in zip(controllers, contexts) where c.waitsForCacheSync { start(c, own) }
    }

    /// As `start`, on a thread of its own, as kube-controller-manager runs beside kube-apiserver: the
    /// server is ready once storage and the API are, and the controllers catch up after (with many
    /// stored objects their caches take longest to fill). `started` runs once every worker runs.
    public static func startInBackground(_ controllers: [any Controller], context: ControllerContext,
                                         started: @escaping @Sendable () -> Void = {}) {
        let thread = Thread {
            start(controllers, context: context)
            started()
        }
        thread.name = "kubelite.controller-manager"
        thread.start()
    }

    private static func start(_ controller: any Controller, _ context: ControllerContext) {
        controller.start(context)
        context.logger.debug("started controller", metadata: ["controller": "\(controller.name)"])
    }
}
