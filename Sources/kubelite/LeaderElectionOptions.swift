import APIServer
import ArgumentParser
import ControllerRuntime

/// kube-controller-manager's and kube-scheduler's leader election flags, shared by both here.
struct LeaderElectionOptions: ParsableArguments {
    @Flag(name: .customLong("leader-elect"), inversion: .prefixedNo,
          help: "Run the controllers only while this replica holds the kube-controller-manager Lease in kube-system, and the scheduler only while it holds kube-scheduler (default: on with --etcd-servers, where several replicas may share the store; off otherwise). --leader-elect=false is accepted too.")
    var leaderElect: Bool?

    @Option(name: .customLong("leader-elect-lease-duration"),
            help: ArgumentHelp("How long a candidate waits, after it last saw the Lease change, before taking over from a leader that stopped renewing (a Go duration).", valueName: "duration"))
    var leaseDuration = "15s"

    @Option(name: .customLong("leader-elect-renew-deadline"),
            help: ArgumentHelp("How long the leader keeps trying to renew before it stops leading; shorter than the lease duration.", valueName: "duration"))
    var renewDeadline = "10s"

    @Option(name: .customLong("leader-elect-retry-period"),
            help: ArgumentHelp("The pause between attempts to acquire or renew a Lease.", valueName: "duration"))
    var retryPeriod = "2s"

    /// Whether to elect: as given, else only on etcd. Upstream's default is on, but a SQLite or
    /// in-memory store belongs to one process, so there is nobody to elect against.
    func enabled(etcd: Bool) -> Bool { leaderElect ?? etcd }

    /// The timings, checked as client-go checks them.
    func configuration() throws -> LeaderElectionConfiguration {
        func parse(_ text: String, _ flag: String) throws -> Duration {
            guard let value = GoDuration.parse(text), value > .zero else {
                throw ValidationError("--\(flag) must be a positive Go duration (15s, 500ms), not \"\(text)\"")
            }
            return value
        }
        let configuration = LeaderElectionConfiguration(
            leaseDuration: try parse(leaseDuration, "leader-elect-lease-duration"),
            renewDeadline: try parse(renewDeadline, "leader-elect-renew-deadline"),
            retryPeriod: try parse(retryPeriod, "leader-elect-retry-period"))
        if let problem = configuration.problem {
            throw ValidationError("invalid leader election timings (--leader-elect-lease-duration, --leader-elect-renew-deadline, --leader-elect-retry-period): \(problem)")
        }
        return configuration
    }

    /// Go's boolean flags take `--flag=false`; ArgumentParser's take `--no-flag`. Rewrites the
    /// former so upstream's spelling works.
    static func goBooleanSpelling(_ arguments: [String]) -> [String] {
        arguments.map { argument in
            switch argument {
            case "--leader-elect=true": "--leader-elect"
            case "--leader-elect=false": "--no-leader-elect"
            default: argument
            }
        }
    }
}
