import APIMachinery
import Dispatch
import Foundation
import Logging
import Synchronization

/// Leader election on a Lease, as client-go's leaderelection.LeaderElector: candidates try to
/// acquire the Lease every retry period; the holder renews it every retry period; a candidate takes
/// the Lease over only when it has not seen it change for a lease duration (measured on its own
/// clock from when it saw the change, never from the holder's renewTime, so clocks need not agree).
/// A leader that has not renewed for the renew deadline stops leading: `stoppedLeading` runs before
/// anyone else may take over, since the renew deadline is shorter than the lease duration.
///
/// Unlike upstream, which exits the process when the lease is lost, the elector goes back to
/// acquiring: in Kubelite the same process keeps serving the API, so only its controllers stop.
///
/// Attempts run through `executor` (a serial queue by default: a Lease read or write may wait on
/// etcd, and must not hold up the timers that check the renew deadline); tests run them inline on
/// `ManualTimers`.
public final class LeaderElector: Sendable {
    /// Called on the elector's executor; `startedLeading` must not block it for long (hand the
    /// controllers' start to a queue of their own).
    public struct Callbacks: Sendable {
        public var startedLeading: @Sendable () -> Void
        public var stoppedLeading: @Sendable () -> Void
        public init(startedLeading: @escaping @Sendable () -> Void, stoppedLeading: @escaping @Sendable () -> Void) {
            self.startedLeading = startedLeading
            self.stoppedLeading = stoppedLeading
        }
    }

    public let lock: LeaseLock
    /// This candidate's holderIdentity (`hostname_uuid`, as kube-controller-manager's).
    public let identity: String
    public let configuration: LeaderElectionConfiguration
    let timers: any Timers
    let logger: Logger
    let callbacks: Callbacks
    let random: @Sendable () -> Double
    let executor: @Sendable (@escaping @Sendable () -> Void) -> Void

    struct State {
        var running = false
        /// Bumped by `run` and `stop`: a pending attempt or deadline check of another run does nothing.
        var round = 0
        var leading = false
        /// The Lease as last read or written, and when (this clock) its record last changed.
        var observed: LeaseLock.Observed?
        var observedTime: Date?
        /// When this leader last renewed; the renew deadline counts from here.
        var lastRenew: Date?
        var reportedLeader: String?
    }
    let state = Mutex(State())

    public init(lock: LeaseLock, identity: String, configuration: LeaderElectionConfiguration, timers: any Timers,
                logger: Logger = Logger(label: "kubelite.leaderelection"), callbacks: Callbacks,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                executor: (@Sendable (@escaping @Sendable () -> Void) -> Void)? = nil) {
        self.lock = lock
        self.identity = identity
        self.configuration = configuration
        self.timers = timers
        self.logger = logger
        self.callbacks = callbacks
        self.random = random
        if let executor {
            self.executor = executor
        } else {
            let queue = DispatchQueue(label: "kubelite.leaderelection.\(lock.name)")
            self.executor = { queue.async(execute: $0) }
        }
    }

    /// kube-controller-manager's identity: the host name, an underscore and a fresh UUID, so two
    /// processes on one host (or one restarted) never pass for each other.
    public static func defaultIdentity() -> String {
        "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.lowercased())"
    }

    /// Whether this candidate holds the Lease now.
    public var isLeader: Bool { state.withLock { $0.leading } }

    /// The holder as last seen on the Lease ("" when released), nil before the first read.
    public var observedLeader: String? { state.withLock { $0.observed?.record.holderIdentity } }

    /// Starts trying to acquire (the first attempt at once); a second call does nothing.
    public func run() {
        let round = state.withLock { s -> Int? in
            guard !s.running else { return nil }
            s.running = true
            s.round += 1
            return s.round
        }
        guard let round else { return }
        logger.info("attempting to acquire leader lease \(lock.description)...")
        executor { [self] in attempt(round) }
    }

    /// Stops the election (client-go's ReleaseOnCancel): a leader first stops leading, then hands
    /// the Lease back (no holder, a one-second duration) so the next candidate, or this replica
    /// restarted, takes it at its next attempt instead of waiting out the lease duration. Blocks
    /// until the release is written or failed.
    public func stop() {
        let wasLeading = state.withLock { s -> Bool in
            s.running = false
            s.round += 1
            defer { s.leading = false }
            return s.leading
        }
        guard wasLeading else { return }
        callbacks.stoppedLeading()
        release()
    }
}
