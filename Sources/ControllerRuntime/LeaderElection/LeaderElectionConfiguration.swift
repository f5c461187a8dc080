import Foundation

/// The timings of a leader election, as kube-controller-manager's and kube-scheduler's
/// `--leader-elect-lease-duration`, `--leader-elect-renew-deadline` and `--leader-elect-retry-period`.
public struct LeaderElectionConfiguration: Sendable, Equatable {
    /// How long a non-leader waits, from the moment it saw the Lease last change, before it may take
    /// the Lease over. Bounds how long a dead leader's work stays undone.
    public var leaseDuration: Duration
    /// How long the leader keeps trying to renew before it gives up leading. Shorter than the lease
    /// duration, so a leader that cannot renew stops before anyone else may start.
    public var renewDeadline: Duration
    /// The pause between attempts to acquire or renew.
    public var retryPeriod: Duration

    /// Upstream's defaults (component-base's leader election configuration): 15 s, 10 s, 2 s.
    public static let upstream = LeaderElectionConfiguration(leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .seconds(2))

    /// client-go's wait.JitterUntil factor for the attempts: each pause is retryPeriod plus up to
    /// 1.2 retryPeriods more, so candidates do not hit the API in lockstep.
    public static let jitterFactor = 1.2

    public init(leaseDuration: Duration, renewDeadline: Duration, retryPeriod: Duration) {
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }

    /// client-go's NewLeaderElector checks, with its texts; nil when the timings make sense.
    public var problem: String? {
        if leaseDuration <= renewDeadline { return "leaseDuration must be greater than renewDeadline" }
        if renewDeadline <= retryPeriod * Self.jitterFactor { return "renewDeadline must be greater than retryPeriod*JitterFactor" }
        if leaseDuration < .seconds(1) { return "leaseDuration must be at least one second" }
        if renewDeadline <= .zero { return "renewDeadline must be greater than zero" }
        if retryPeriod <= .zero { return "retryPeriod must be greater than zero" }
        return nil
    }

    /// The Lease's `spec.leaseDurationSeconds` (whole seconds, as client-go writes it).
    var leaseDurationSeconds: Int { Int(leaseDuration.components.seconds) }
}
