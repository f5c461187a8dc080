import APIMachinery
import Foundation

/// One of a container's probes with upstream's defaults (period 10 s, timeout 1 s, success 1,
/// failure 3); a spec error (an undeclared named port) makes every attempt fail with its message.
struct ContainerProbe: Sendable, Equatable {
    /// Which probe; the raw value is the word that starts upstream's event messages.
    enum Kind: String, Sendable, CaseIterable {
        case startup = "Startup"
        case liveness = "Liveness"
        case readiness = "Readiness"

        var field: String {
            switch self {
            case .startup: "startupProbe"
            case .liveness: "livenessProbe"
            case .readiness: "readinessProbe"
            }
        }
    }

    var kind: Kind
    var handler: Result<ContainerHandler, ContainerHandler.SpecError>
    var initialDelay: TimeInterval
    var period: TimeInterval
    var timeout: TimeInterval
    var successThreshold: Int
    var failureThreshold: Int
    /// The probe's own grace period for the kill that follows a liveness or startup failure.
    var terminationGracePeriod: Int?

    init?(_ kind: Kind, container: JSON) {
        guard let spec = container[kind.field], spec.objectValue != nil else { return nil }
        self.kind = kind
        handler = Result { () throws(ContainerHandler.SpecError) in try ContainerHandler.parse(spec, container: container) }
        initialDelay = Double(max(0, spec["initialDelaySeconds"]?.intValue ?? 0))
        period = Double(max(1, spec["periodSeconds"]?.intValue ?? 10))
        timeout = Double(max(1, spec["timeoutSeconds"]?.intValue ?? 1))
        // Liveness and startup probes must use 1 (validation says so); readiness may ask for more.
        successThreshold = kind == .readiness ? Int(max(1, spec["successThreshold"]?.intValue ?? 1)) : 1
        failureThreshold = Int(max(1, spec["failureThreshold"]?.intValue ?? 3))
        terminationGracePeriod = spec["terminationGracePeriodSeconds"]?.intValue.map { Int($0) }
    }

    /// The container's probes, startup first: it gates the others.
    static func all(_ container: JSON) -> [ContainerProbe] {
        Kind.allCases.compactMap { ContainerProbe($0, container: container) }
    }
}

/// Where the kubelet stands with one probe of one container instance (upstream's probe worker):
/// the settled result, the run of equal attempts that will settle the next, and the attempt in flight.
struct ProbeState: Sendable {
    /// The settled result: nil until a threshold is reached (readiness counts as failed, startup
    /// as not yet started, liveness as alive).
    var result: Bool?
    /// The last attempt's outcome and how many attempts in a row had it.
    var lastOutcome: Bool?
    var run = 0
    /// When the attempt in flight started (its timeout counts from here) and how to stop it.
    var inFlight: (started: Date, attempt: Int, cancel: @Sendable () -> Void)?
    var attempts = 0
    var lastAttempt: Date?
    /// A liveness or startup failure that killed the instance: nothing more is probed until it restarts.
    var onHold = false
    /// A warning was recorded already (gRPC is not run).
    var warned = false

    /// Counts one outcome; returns the new settled result when this attempt settles one.
    mutating func count(_ success: Bool, _ probe: ContainerProbe) -> Bool? {
        run = lastOutcome == success ? run + 1 : 1
        lastOutcome = success
        let threshold = success ? probe.successThreshold : probe.failureThreshold
        guard run >= threshold, result != success else { return nil }
        result = success
        return success
    }
}
