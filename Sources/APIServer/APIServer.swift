import APIMachinery
import Foundation
import HTTPServer
import Logging
import Prometheus
import Registry
import Storage
import Synchronization

/// The Kubernetes API over HTTP: routes each request to discovery, OpenAPI, health or a resource verb,
/// and turns every failure into a `Status` with upstream's reason and code.
public final class APIServer: HTTPHandler, Sendable {
    public let registry: Registry
    let discovery: Discovery
    let openAPI: OpenAPIServing
    let logger: Logger
    /// Set once the server is serving: /readyz answers 200 only then.
    let readiness: Readiness
    let eventLineCache = EncodedEventCache()
    /// Runs write requests when the storage is durable (nil otherwise: in memory, writes are quick and
    /// run inline on the HTTP thread).
    let writePool: WritePool?
    let requestLog: RequestLog
    let maxInFlight: MaxInFlightLimit
    /// What `/metrics` serves.
    let metrics = APIServerMetrics()
    /// The registry `/metrics` writes: other components (the controllers' work queues) add theirs to it.
    public var metricsRegistry: PrometheusCollectorRegistry { metrics.registry }
    /// Runs `hook` at each `/metrics` scrape before writing, for gauges read from state.
    public func beforeMetricsScrape(_ hook: @escaping @Sendable () -> Void) { metrics.beforeScrape(hook) }
    /// The cluster's adjustable clock with `serve --testing-clock`; nil (the endpoint is a 404) otherwise.
    let testingClock: (any TestingClock)?
    /// Decides who each request comes from, before anything else looks at it.
    let authentication: AuthenticationChain
    /// The audit log with its policy (`--audit-log-path`, `--audit-policy-file`), or nil.
    let auditLog: AuditLog?
    let deadline: RequestDeadline

    /// - Parameter writeConcurrency: with durable storage, how many write requests may run (and wait
    ///   for their commit) at once; one group commit covers at most that many writes.
    /// - Parameter requestLogThreshold: requests slower than this are logged at info (all are at debug).
    /// - Parameter maxRequestsInFlight, maxMutatingRequestsInFlight: upstream's in-flight limits for
    ///   reads and for writes (0: none); beyond them a request is answered 429.
    public init(registry: Registry, writeConcurrency: Int = 64, logger: Logger = Logger(label: "kubelite.api"),
                requestLogThreshold: Duration = .milliseconds(500),
                maxRequestsInFlight: Int = 400, maxMutatingRequestsInFlight: Int = 200,
                testingClock: (any TestingClock)? = nil, authentication: AuthenticationChain = .anonymousOnly,
                auditLog: AuditLog? = nil,
                requestTimeout: Duration = .seconds(60)) {
        self.testingClock = testingClock
        self.authentication = authentication
        self.auditLog = auditLog
        self.deadline = RequestDeadline(maximum: requestTimeout)
        self.registry = registry
        self.discovery = Discovery(served: { [registry] in registry.servedResources + registry.aggregatedResources })
        let customOpenAPI = CustomResourceOpenAPI(served: { [registry] in
            registry.servedResources.compactMap { resource in registry.customResourceDefinition(for: resource).map { (resource, $0) } }
        }, published: { [registry] resource in
            (registry.store(group: resource.group, version: resource.version, plural: resource.plural)?.strategy as? CustomResourceStrategy)?
                .publishedSchema
        })
        self.openAPI = OpenAPIServing(resources: registry.resources, schemas: registry.schemas, customResources: customOpenAPI)
        self.logger = logger
        self.requestLog = RequestLog(logger: logger, slowThreshold: requestLogThreshold)
        self.readiness = Readiness()
        self.maxInFlight = MaxInFlightLimit(maxReads: maxRequestsInFlight, maxMutating: maxMutatingRequestsInFlight)
        self.writePool = registry.isDurable && writeConcurrency > 0 ? WritePool(maxThreads: writeConcurrency) : nil
    }

    public func markReady() { readiness.set(true) }

    /// Reads are answered inline (a read waiting for a future resourceVersion is deferred). With
    /// durable storage, writes are answered `.deferred`: they run on the write pool, so the HTTP
    /// thread is free while the write waits for its group commit. Requests beyond the in-flight
    /// limits are answered 429 at once.
    public func handle(_ received: HTTPRequest) -> HTTPResponse {
        let started = ContinuousClock.now
        // Upstream's WithAuditInit: the client's Audit-ID is kept, otherwise every request gets one.
        let auditID = received.header("audit-id").flatMap { $0.isEmpty ? nil : $0 } ?? AuditID.next()
        // Authentication comes next, as in upstream's handler chain: a refused credential is 401
        // before it takes an in-flight seat (and is audited as the anonymous request it became).
        var authenticated = received
        let user: UserInfo
        do { user = try authentication.authenticate(&authenticated) } catch {
            let audit = auditLog.flatMap { AuditRecord(log: $0, request: received, user: .anonymous, auditID: auditID) }
            audit?.emit(.requestReceived)
            return finish(Responses.status(error, request: received),
                          ServedRequest(request: received, started: started, seat: nil, auditID: auditID, audit: audit))
        }
        let request = authenticated
        let audit = auditLog.flatMap { AuditRecord(log: $0, request: request, user: user, auditID: auditID) }
        audit?.emit(.requestReceived)
        let seat: MaxInFlightLimit.Seat?
        switch maxInFlight.admit(request) {
        case .exempt: seat = nil
        case .admitted(let admitted): seat = admitted
        case .rejected:
            return finish(Responses.status(MaxInFlightLimit.tooManyRequests, request: request),
                          ServedRequest(request: request, started: started, seat: nil, user: user, auditID: auditID, audit: audit))
        }
        let served = ServedRequest(request: request, started: started, seat: seat, user: user, auditID: auditID, audit: audit)
        // Only requests holding a seat have a deadline: the exempt ones are long-running (or probes).
        var timeout = deadline.maximum
        if seat != nil {
            do { timeout = try deadline.timeout(for: request) } catch {
                return finish(Responses.status(error, request: request), served)
            }
        }
        guard let writePool, Self.writeMethods.contains(request.method) else {
            let response = respond(to: served)
            // A deferred answer is finished by whoever completes it.
            if case .deferred = response.body { return response }
            return finish(response, served)
        }
        let deferred = DeferredResponse()
        // The write and its deadline race; whichever answers first finishes the request once.
        let answered = Mutex(false)
        let answer: @Sendable (() -> HTTPResponse) -> Void = { make in
            guard answered.withLock({ was in defer { was = true }; return !was }) else { return }
            deferred.complete(make())
        }
        let timer = seat == nil ? nil : WriteDeadlineTimer(after: timeout) { [self] in
            answer { finish(Responses.status(RequestDeadline.timedOut, request: request), served) }
        }
        writePool.submit { [self] in
            let response = respond(to: served)
            // A proxied write is answered from its own thread once the upstream answers (and is
            // finished there); this pool thread waits for it.
            if case .deferred(let inner) = response.body {
                deferred.complete(inner.wait(timeout: .seconds(3600)) ?? Responses.status(.serviceUnavailable("the proxied request did not complete"), request: request))
                return
            }
            timer?.cancel()
            answer { finish(response, served) }
        }
        return .deferred(deferred)
    }

    /// Every complete answer passes here once: it goes to the request log (a watch when its stream
    /// ends) and frees the request's in-flight seat (a streamed list once written out).
    func finish(_ response: HTTPResponse, _ served: ServedRequest) -> HTTPResponse {
        let request = served.request, started = served.started
        var response = response
        response.headers.append(("Audit-Id", served.auditID))
        if case .stream(let stream) = response.body, !(stream is ListResponseStream) {
            var wrapped = response
            var entry = RequestLog.Entry(request: request, status: response.status, latency: .zero, isWatch: true)
            entry.auditID = served.auditID
            let labels = RequestMetrics.Labels(request: request, isWatch: true), requests = metrics.requests, status = response.status
            requests.longRunning(labels, 1)
            // A long-running request is audited when its answer starts and again when it ends.
            let audit = served.audit
            audit?.emit(.responseStarted, response: response)
            wrapped.body = .stream(LoggedWatchStream(stream, entry: entry, started: started, log: requestLog) { latency in
                requests.longRunning(labels, -1)
                requests.record(labels, code: status, latency: latency)
                audit?.emit(.responseComplete, response: HTTPResponse(status: status))
            })
            served.seat?.release()
            return wrapped
        }
        if case .upgrade = response.body { served.audit?.emit(.responseStarted, response: response) }
        served.audit?.emit(.responseComplete, response: response)
        if case .stream(let stream) = response.body, let seat = served.seat {
            response.body = .stream(SeatReleasingStream(stream, seat: seat))
        } else {
            served.seat?.release()
        }
        let latency = ContinuousClock.now - started
        metrics.requests.record(RequestMetrics.Labels(request: request, isWatch: false), code: response.status, latency: latency)
        // Checked before the line is built: most requests are not logged, and this is the hot path.
        if requestLog.isLogged(status: response.status, latency: latency, isWatch: false) {
            var entry = RequestLog.Entry(request: request, status: response.status, latency: latency, isWatch: false)
            entry.auditID = served.auditID
            requestLog.record(entry)
        }
        return response
    }

    /// Methods that may write: create, update, patch, delete and deletecollection, subresources included.
    static let writeMethods: Set<String> = ["POST", "PUT", "PATCH", "DELETE"]

    func respond(to served: ServedRequest) -> HTTPResponse {
        do {
            return try route(served)
        } catch {
            return Responses.status(error, request: served.request)
        }
    }

    func route(_ served: ServedRequest) throws(APIError) -> HTTPResponse {
        let request = served.request, path = request.path
        var info: RequestInfo?
        if path.hasPrefix("/api/") || path.hasPrefix("/apis/") {
            info = RequestInfo(method: request.method, path: path, isWatch: Self.isWatch(request))
        }
        try authorize(served, info: info)
        if let info, info.group == MetricsResources.group, info.version == MetricsResources.version,
           let source = registry.resourceMetrics {
            return try ResourceMetricsHandler(registry: registry, source: source, request: request, info: info, now: registry.clock.now()).serve()
        }
        if let info { return try ResourceHandler(server: self, served: served, info: info).serve() }
        return try serveNonResource(request)
    }

    private func serveNonResource(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        switch path {
        case "/healthz", "/livez": return Health.answer(request, ready: true, storageProblem: registry.storage.healthProblem)
        case "/readyz": return Health.answer(request, ready: readiness.get(), storageProblem: registry.storage.healthProblem)
        case "/metrics":
            return try onlyGet(request) { () throws(APIError) -> HTTPResponse in metrics.scrape(inFlight: maxInFlight.counts, registry: registry) }
        case "/version":
            return try onlyGet(request) { () throws(APIError) -> HTTPResponse in try Responses.object(Version.info, request: request) }
        case "/api", "/apis":
            return try onlyGet(request) { () throws(APIError) -> HTTPResponse in try discovery.serveRoot(path, request: request) }
        case "/openapi/v3":
            return try onlyGet(request) { () throws(APIError) -> HTTPResponse in openAPI.index(request: request) }
        case "/openapi/v2":
            return try onlyGet(request) { () throws(APIError) -> HTTPResponse in try openAPI.v2Representations.serve(request) }
        case TestingClockEndpoint.path:
            guard let testingClock else { throw APIError.pathNotFound }
            return try TestingClockEndpoint.serve(request, clock: testingClock)
        case "/openid/v1/jwks", "/.well-known/openid-configuration":
            return try onlyGet(request) { () throws(APIError) -> HTTPResponse in try ServiceAccountIssuerDiscovery.serve(path, request: request, registry: registry) }
        default:
            if path.hasPrefix("/openapi/v3/") {
                return try onlyGet(request) { () throws(APIError) -> HTTPResponse in
                    try openAPI.document(String(path.dropFirst("/openapi/v3/".count)), request: request)
                }
            }
            if path.hasPrefix("/api/") || path.hasPrefix("/apis/") {
                return try onlyGet(request) { () throws(APIError) -> HTTPResponse in try discovery.serveGroupPath(path, request: request) }
            }
            throw APIError.pathNotFound
        }
    }

    private func onlyGet(_ request: HTTPRequest, _ body: () throws(APIError) -> HTTPResponse) throws(APIError) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else { throw APIError.methodNotAllowed }
        return try body()
    }

    /// `watch` is converted as upstream converts every boolean query parameter: only "0" and "false"
    /// (any case) are false, so `watch=yes` and `watch=` watch too.
    static func isWatch(_ request: HTTPRequest) -> Bool {
        request.queryValue("watch").map(GoInt.parseBool) ?? false
    }
}

/// A flag set once the server is listening.
final class Readiness: @unchecked Sendable {
    private let lock = NSLock()
    private var ready = false
    func set(_ value: Bool) { lock.lock(); ready = value; lock.unlock() }
    func get() -> Bool { lock.lock(); defer { lock.unlock() }; return ready }
}
