import ControllerRuntime
import Dispatch
import Logging
import Registry
import Synchronization

/// A component that runs only while this replica leads (kube-controller-manager's controllers on
/// the `kube-controller-manager` Lease, the scheduler on `kube-scheduler`): each term starts fresh
/// controllers on a context of their own, and stops them when the term ends.
///
/// Upstream exits the process when it loses its Lease and lets its supervisor restart it. Here the
/// same process serves the API (and is a node), which must go on, so only the controllers stop and
/// the replica goes back to trying to acquire.
final class LeaderElectedControllers: Sendable {
    let elector: LeaderElector
    /// Starts and stops run here, in order: a term that ends while its controllers are still
    /// starting (waiting for their caches) stops them once they have started.
    private let terms: DispatchQueue
    private let term = Term()

    /// The controllers of the current term, if leading.
    private final class Term: Sendable { let running = Mutex<RunningControllers?>(nil) }

    init(lease: String, identity: String, configuration: LeaderElectionConfiguration, registry: Registry,
         timers: any Timers, logger: Logger, controllers: @escaping @Sendable () -> [any Controller]) {
        guard let leases = registry.store(group: "coordination.k8s.io", plural: "leases") else {
            preconditionFailure("leases.coordination.k8s.io is not served")
        }
        let terms = DispatchQueue(label: "kubelite.leader-term.\(lease)")
        let term = term
        let componentLogger = Logger(label: "kubelite.controllers")
        self.terms = terms
        elector = LeaderElector(
            lock: LeaseLock(namespace: "kube-system", name: lease, store: leases), identity: identity,
            configuration: configuration,
            // A timer queue of its own: the controllers' clock may be the testing clock, which a
            // test moves forward, and leases are judged on the real one, as upstream.
            timers: SystemTimers(queue: DispatchQueue(label: "kubelite.leaderelection.timers.\(lease)")),
            logger: logger,
            callbacks: LeaderElector.Callbacks(
                startedLeading: {
                    // Not on the elector's queue: starting waits for the caches, renewals must not.
                    terms.async {
                        logger.info("leading: starting \(lease)")
                        let started = RunningControllers(controllers(), registry: registry, timers: timers, logger: componentLogger)
                        term.running.withLock { $0 = started }
                    }
                },
                stoppedLeading: {
                    // Synchronous: on a graceful stop the Lease is released only after this returns.
                    terms.sync {
                        guard let ended = term.running.withLock({ $0.take() }) else { return }
                        logger.warning("no longer leading: stopping \(lease)")
                        ended.stop()
                    }
                }))
    }

    /// Starts trying to acquire the Lease.
    func run() { elector.run() }

    /// Graceful stop: the controllers stop, then the Lease is released for the next replica.
    func stop() { elector.stop() }
}
