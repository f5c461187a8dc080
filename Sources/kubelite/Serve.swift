import APIMachinery
import APIServer
import ArgumentParser
import Dispatch
import Foundation
import HTTPServer
import Logging
import Registry
import Storage
import StorageEncryption
import ClusterDNS
import ControllerRuntime
import Controllers
import Credentials
import Node

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the Kubernetes API over HTTPS (RBAC enforced), or plain HTTP on loopback with --port."
    )

    @Option(name: .customLong("bind-address"), help: "IPv4 address to listen on.")
    var bindAddress = "127.0.0.1"

    @Option(help: ArgumentHelp("Serve plain HTTP on this TCP port instead of HTTPS, on a loopback --bind-address only (test runs); 0 picks a free port and logs it.", valueName: "port"))
    var port: UInt16?

    @Option(help: ArgumentHelp("Write a kubeconfig pointing at this server once it is ready.", valueName: "file"))
    var kubeconfig: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .customLong("request-log-threshold"),
            help: ArgumentHelp("Requests slower than this are logged at info, as kube-apiserver traces slow requests (every request is logged at debug; server errors and ended watches at info).", valueName: "seconds"))
    var requestLogThreshold: Double = 0.5

    @Option(help: "HTTP worker threads (default: one per core).")
    var threads: Int = System.coreCount

    @Option(name: .customLong("max-header-bytes"),
            help: "Largest request header block served (431 Status beyond); each open connection keeps twice this (16 KiB at least).")
    var maxHeaderBytes: Int = 8 * 1024

    @Option(name: .customLong("max-requests-inflight"),
            help: "Reads (get, list) served at once; beyond it 429 TooManyRequests. Watches and probes are exempt; 0 for no limit.")
    var maxRequestsInFlight: Int = 400

    @Option(name: .customLong("max-mutating-requests-inflight"),
            help: "Writes (create, update, patch, delete) served at once; beyond it 429 TooManyRequests; 0 for no limit.")
    var maxMutatingRequestsInFlight: Int = 200

    @OptionGroup var connections: ConnectionOptions

    @OptionGroup var secure: SecureServingOptions

    @Option(name: .customLong("watch-bookmark-interval"),
            help: ArgumentHelp("Seconds between BOOKMARK events on watches that allow them.", valueName: "seconds"))
    var watchBookmarkInterval: Double = 60

    @Option(name: .customLong("min-request-timeout"),
            help: ArgumentHelp("A watch without timeoutSeconds ends after this many seconds, randomised up to twice as long.", valueName: "seconds"))
    var minRequestTimeout: Int = 1800

    @Option(name: .customLong("watch-history"),
            help: ArgumentHelp("Changes kept for watches resuming from a resourceVersion; older ones get 410 Expired.", valueName: "events"))
    var watchHistory: Int = 100_000

    @Option(name: .customLong("watch-history-bytes"),
            help: ArgumentHelp("Bytes of changes (encoded objects) kept for watches resuming from a resourceVersion, in memory and in the durable store; older ones get 410 Expired (default: 1/16 of physical memory, at most 256 MiB).", valueName: "bytes"))
    var watchHistoryBytes: Int = Serve.defaultWatchHistoryBytes()

    @Option(name: .customLong("decoded-object-cache-bytes"),
            help: ArgumentHelp("Memory for decoded objects, estimated at five times their JSON: every stored object keeps its JSON, and its decoded form only while recently read; the rest are decoded again when read.", valueName: "bytes"))
    var decodedObjectCacheBytes: Int = DecodedTreeCache.defaultBudget

    @Option(name: .customLong("data-dir"),
            help: ArgumentHelp("Directory of the durable store (kubelite.db, SQLite); default ${XDG_DATA_HOME:-$HOME/.local/share}/kubelite.", valueName: "dir"))
    var dataDir: String?

    @Option(name: .customLong("etcd-servers"),
            help: ArgumentHelp("Keep the cluster's state in etcd (3.4+) instead of SQLite: its members' client URLs (http://host:port, or https://host:port with --etcd-cafile and client certificates), comma-separated. --data-dir then holds only the cluster's credentials.", valueName: "urls"))
    var etcdServers: String?

    @Option(name: .customLong("etcd-prefix"), help: "The prefix of every key Kubelite keeps in etcd, as kube-apiserver's.")
    var etcdPrefix = "/registry"

    @Option(name: .customLong("etcd-cafile"),
            help: ArgumentHelp("The CA (PEM) etcd's serving certificate must chain to, for https:// --etcd-servers (default: the system's trusted CAs).", valueName: "file"))
    var etcdCAFile: String?

    @Option(name: .customLong("etcd-certfile"),
            help: ArgumentHelp("The client certificate (PEM) presented to etcd, for etcd's --client-cert-auth; with --etcd-keyfile.", valueName: "file"))
    var etcdCertFile: String?

    @Option(name: .customLong("etcd-keyfile"), help: ArgumentHelp("The private key (PEM) of --etcd-certfile.", valueName: "file"))
    var etcdKeyFile: String?

    @Option(name: .customLong("etcd-compaction-interval"),
            help: ArgumentHelp("How often etcd's history is compacted (kube-apiserver's flag, a Go duration: 5m0s); one replica per interval compacts at the revision of the previous one. 0 disables compaction.", valueName: "duration"))
    var etcdCompactionInterval = "5m0s"

    @Option(name: .customLong("etcd-readycheck-timeout"),
            help: ArgumentHelp("How long the probe behind the etcd check of /readyz and /livez may wait for etcd (kube-apiserver's flag, a Go duration).", valueName: "duration"))
    var etcdReadycheckTimeout = "2s"

    @Flag(name: .customLong("in-memory"), help: "Keep the cluster's state in memory only: nothing survives a restart.")
    var inMemory = false

    @Option(name: .customLong("write-concurrency"),
            help: ArgumentHelp("With the durable store, write requests that may wait for their commit at once, each on a thread of its own (one fsync covers them all).", valueName: "requests"))
    var writeConcurrency: Int = 64

    @Option(name: .customLong("compaction-interval"),
            help: ArgumentHelp("Seconds between compactions of the durable store down to the watch history (--watch-history, --watch-history-bytes); writing --watch-history-bytes since the last one also compacts.", valueName: "seconds"))
    var compactionInterval: Double = 300

    @Option(name: .customLong("request-timeout"),
            help: ArgumentHelp("A request that is not long-running (not a watch, exec, logs, port-forward or proxy) is answered 504 after this long, or the shorter ?timeout= it asks for (a Go duration: 1m0s, 30s).", valueName: "duration"))
    var requestTimeout: String = "1m0s"

    @Option(name: .customLong("audit-log-path"),
            help: ArgumentHelp("Append audit.k8s.io/v1 Events, one JSON line each, to this file ('-': standard output); needs --audit-policy-file.", valueName: "file"))
    var auditLogPath: String?

    @Option(name: .customLong("audit-policy-file"),
            help: ArgumentHelp("An audit.k8s.io/v1 Policy: which requests are audited, at which level (None, Metadata, Request, RequestResponse) and stages.", valueName: "file"))
    var auditPolicyFile: String?

    @Option(name: .customLong("encryption-provider-config"),
            help: ArgumentHelp("An apiserver.config.k8s.io/v1 EncryptionConfiguration: the resources (Secrets, say) the durable store encrypts at rest, and with which providers (aescbc, aesgcm, secretbox, identity).", valueName: "file"))
    var encryptionProviderConfig: String?

    @Option(help: "Simulated nodes to run pods on.")
    var nodes: Int = 1

    @Option(name: .customLong("metric-resolution"),
            help: ArgumentHelp("How often the node's resource metrics (metrics.k8s.io, kubectl top, the HorizontalPodAutoscaler) are scraped, on the cluster's clock (metrics-server's flag, a Go duration).", valueName: "duration"))
    var metricResolution = "15s"

    @Option(name: .customLong("node-name"),
            help: ArgumentHelp("This replica's node name (default kubelite-node; with --nodes N, <name>-1 ... <name>-N). Replicas sharing one etcd each need their own.", valueName: "name"))
    var nodeName: String?

    @Option(name: .customLong("node-index"),
            help: ArgumentHelp("The cluster index of this replica's first node: node i takes the i-th /24 of --cluster-cidr as podCIDR and 172.18.0.(i+2) as InternalIP. Replicas sharing one etcd each need their own range.", valueName: "index"))
    var nodeIndex: Int = 0

    @OptionGroup var leaderElection: LeaderElectionOptions

    @Option(name: .customLong("pod-start-delay"),
            help: ArgumentHelp("Seconds a scheduled pod stays ContainerCreating before it runs.", valueName: "seconds"))
    var podStartDelay: Double = 0

    @Option(name: .customLong("termination-grace-scale"),
            help: ArgumentHelp("Fraction of a pod's terminationGracePeriodSeconds the simulated kubelet waits before removing a deleted pod (0 removes it at once, 1 waits the full period).", valueName: "factor"))
    var terminationGraceScale: Double = 0

    @Option(name: .customLong("pod-runtime"),
            help: ArgumentHelp("auto: pods whose images are all in the image catalog run as processes in their own namespaces when Kubelite runs as root on Linux, others are simulated; process: every pod runs (an unmapped image fails with ErrImagePull); simulated: no pod runs.", valueName: "mode"))
    var podRuntime: PodRuntimeMode = .auto

    @Option(name: .customLong("image-catalog"),
            help: ArgumentHelp("YAML file mapping images to programs on this machine (entrypoint, args, workingDir, env, package), added to and overriding the built-in catalog.", valueName: "file"))
    var imageCatalog: String?

    @Option(help: ArgumentHelp("Provisioners the simulated volume provisioner serves, comma-separated (default: every StorageClass's).", valueName: "names"))
    var provisioners: String?

    @Option(name: .customLong("service-cluster-ip-range"), help: "CIDR Service ClusterIPs are allocated from.")
    var serviceClusterIPRange = Registry.defaultServiceCIDR

    @Option(name: .customLong("cluster-cidr"),
            help: ArgumentHelp("IPv4 CIDR of the pods' network; each node gets a /24 of it as spec.podCIDR, and pods run as processes get their address from it on a bridge.", valueName: "cidr"))
    var clusterCIDR = IPv4CIDR.defaultCluster.description

    @Option(name: .customLong("dns-port"),
            help: "UDP and TCP port of the cluster DNS server on the bind address; 0 picks a free port, --dns-port=-1 turns it off.")
    var dnsPort: Int = 10053

    @Option(name: .customLong("cluster-domain"), help: "The cluster's DNS domain.")
    var clusterDomain = "cluster.local"

    @Option(name: .customLong("authorization-mode"),
            help: ArgumentHelp("Ordered comma-separated authorizers: AlwaysAllow, AlwaysDeny, RBAC (members of system:masters are always allowed); default RBAC over HTTPS, AlwaysAllow with --port.", valueName: "modes"))
    var authorizationMode: String?

    @Flag(name: .customLong("testing-clock"),
          help: "For end-to-end tests only: the cluster's clock (timestamps, controllers, timers) may be moved forward through POST /kubelite/testing/clock {\"advanceSeconds\": N}.")
    var testingClock = false

    func validate() throws {
        guard (-1...65535).contains(dnsPort) else { throw ValidationError("--dns-port must be between -1 and 65535") }
        guard nodes >= 1 else { throw ValidationError("--nodes must be at least 1") }
        guard let cidr = IPv4CIDR(clusterCIDR) else { throw ValidationError("--cluster-cidr: \(clusterCIDR) is not an IPv4 CIDR (a.b.c.d/n)") }
        // kube-controller-manager's check: the node mask must be at least as long as the cluster's.
        guard cidr.prefixLength <= IPv4CIDR.nodeMaskSize else {
            throw ValidationError("--cluster-cidr: the prefix length must be at most \(IPv4CIDR.nodeMaskSize) (each node takes a /\(IPv4CIDR.nodeMaskSize))")
        }
        guard nodeIndex >= 0 else { throw ValidationError("--node-index must not be negative") }
        guard nodeIndex + nodes <= cidr.nodeSubnetCount else {
            throw ValidationError("--cluster-cidr: \(cidr) has room for \(cidr.nodeSubnetCount) nodes' /\(IPv4CIDR.nodeMaskSize) subnets, not \(nodeIndex + nodes)")
        }
        if let nodeName, let problem = NameValidation.isDNS1123Subdomain(nodeName).first {
            throw ValidationError("--node-name: \"\(nodeName)\": \(problem)")
        }
        _ = try leaderElection.configuration()
        guard (GoDuration.parse(metricResolution) ?? .zero) > .zero else {
            throw ValidationError("--metric-resolution must be a positive duration such as 15s")
        }
        guard podStartDelay >= 0 else { throw ValidationError("--pod-start-delay must not be negative") }
        guard terminationGraceScale >= 0 else { throw ValidationError("--termination-grace-scale must not be negative") }
        if let problem = ServiceIPAllocator.validate(cidr: serviceClusterIPRange) {
            throw ValidationError("--service-cluster-ip-range: \(problem)")
        }
        guard requestLogThreshold >= 0 else { throw ValidationError("--request-log-threshold must not be negative") }
        guard watchBookmarkInterval > 0 else { throw ValidationError("--watch-bookmark-interval must be positive") }
        guard minRequestTimeout > 0 else { throw ValidationError("--min-request-timeout must be positive") }
        guard let timeout = GoDuration.parse(requestTimeout), timeout > .zero else {
            throw ValidationError("--request-timeout must be a positive Go duration (1m0s, 30s), not \"\(requestTimeout)\"")
        }
        guard watchHistory > 0 else { throw ValidationError("--watch-history must be positive") }
        guard watchHistoryBytes > 0 else { throw ValidationError("--watch-history-bytes must be positive") }
        guard decodedObjectCacheBytes >= 0 else { throw ValidationError("--decoded-object-cache-bytes can not be negative") }
        // kube-apiserver's own checks and texts.
        guard maxRequestsInFlight >= 0 else { throw ValidationError("--max-requests-inflight can not be negative value") }
        guard maxMutatingRequestsInFlight >= 0 else { throw ValidationError("--max-mutating-requests-inflight can not be negative value") }
        guard writeConcurrency > 0 else { throw ValidationError("--write-concurrency must be positive") }
        guard compactionInterval > 0 else { throw ValidationError("--compaction-interval must be positive") }
        if inMemory, dataDir != nil { throw ValidationError("--in-memory and --data-dir exclude each other") }
        if let etcdServers {
            if inMemory { throw ValidationError("--in-memory and --etcd-servers exclude each other") }
            if GoDuration.parse(etcdCompactionInterval).map({ $0 >= .zero }) != true {
                throw ValidationError("--etcd-compaction-interval must be a Go duration (5m0s, 30s, 0), not \"\(etcdCompactionInterval)\"")
            }
            if (etcdCertFile == nil) != (etcdKeyFile == nil) {
                throw ValidationError("--etcd-certfile and --etcd-keyfile go together")
            }
            if GoDuration.parse(etcdReadycheckTimeout).map({ $0 > .zero }) != true {
                throw ValidationError("--etcd-readycheck-timeout must be a positive Go duration (2s), not \"\(etcdReadycheckTimeout)\"")
            }
            if etcdEndpoints(etcdServers) == nil {
                throw ValidationError("--etcd-servers: expected comma-separated http://host:port or https://host:port URLs, not \"\(etcdServers)\"")
            }
        }
        do { _ = try AuthorizationMode.parseList(authorizationModes) } catch { throw ValidationError("--authorization-mode: \(error)") }
        try validateServing()
    }

    /// `--port` opts out of HTTPS: plain HTTP hands every object, Secrets included, to whoever reaches
    /// the address, so it is served on loopback only, and never beside HTTPS (one listener per run).
    func validateServing() throws {
        guard port != nil else { return }
        if secure.securePort != nil {
            throw ValidationError("--port serves plain HTTP in place of HTTPS on --secure-port: give one of them")
        }
        if secure.tlsCertFile != nil || secure.clientCAFile != nil {
            throw ValidationError("--tls-cert-file, --tls-private-key-file and --client-ca-file are for HTTPS, not plain HTTP on --port")
        }
        guard BindAddressExposure(bindAddress: bindAddress).isLoopback else {
            throw ValidationError("--port serves plain HTTP, without authentication, on a loopback --bind-address only (127.0.0.1), not \(bindAddress); use --secure-port")
        }
    }

    /// HTTPS unless `--port` asks for plain HTTP.
    var servesHTTPS: Bool { port == nil }

    /// kube-apiserver's secure port by default.
    static let defaultSecurePort: UInt16 = 6443

    /// The authorizers: as given, else RBAC whenever clients are authenticated over TLS, and
    /// AlwaysAllow for a plain-HTTP loopback test run, where nobody is authenticated.
    var authorizationModes: String { authorizationMode ?? (servesHTTPS ? "RBAC" : "AlwaysAllow") }

    func run() throws {
        let started = Date()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        let logger = Logger(label: "kubelite")
        DecodedTreeCache.shared.setBudget(decodedObjectCacheBytes)

        // Before anything listens: a catalog that does not parse stops startup with the reason.
        let podNetworkDNS = PodNetworkDNS(port: dnsPort >= 0 ? 53 : nil, logger: logger)
        let runtime = try startPodRuntime(logger: logger, dns: podNetworkDNS)
        // With etcd, SQLite is never opened: the data dir keeps only the credentials (pki).
        let etcd = etcdServers == nil ? nil : try openEtcdStore(logger: logger)
        let durable = inMemory || etcd != nil ? nil : try openDurableStore(logger: logger)
        let storage: any Storage
        if let etcd { storage = etcd } else if let durable { storage = durable } else {
            storage = MemoryStorage(historyLimit: watchHistory, historyBytes: watchHistoryBytes)
        }
        var watch = WatchHub.Configuration()
        watch.bookmarkInterval = .milliseconds(Int64(watchBookmarkInterval * 1000))
        watch.minRequestTimeout = .seconds(minRequestTimeout)
        // With --testing-clock the whole cluster shares one clock a test can move forward.
        let adjustableClock = testingClock ? AdjustableTimers() : nil
        if adjustableClock != nil {
            logger.warning("testing clock on: POST \(TestingClockEndpoint.path) moves the cluster's clock forward (for tests only)")
        }
        let registry = Registry(storage: storage, strategies: StrategyCatalog.all, schemas: SchemaSet.upstream,
                                clock: adjustableClock.map { $0 as any APIMachinery.Clock } ?? SystemClock(),
                                serviceCIDR: serviceClusterIPRange, watch: watch)
        do {
            try registry.bootstrap()
            try registry.bootstrapRBAC()
        } catch {
            throw ValidationError("could not create the initial namespaces: \(error)")
        }
        let authorizers = try AuthorizationMode.parseList(authorizationModes)
        registry.configureAuthorization(modes: authorizers)
        let credentials = try loadCredentials(logger: logger)
        registry.connectTokenIssuer(DeferredTokenIssuer(credentials))
        let serving = try secureServing(credentials: credentials, registry: registry, logger: logger)
        let auditLog = try openAuditLog(logger: logger)
        // The controllers write in-process as their own users: audited as their requests would be.
        if let auditLog { registry.auditInProcessRequests(with: auditLog) }
        let api = APIServer(registry: registry, writeConcurrency: writeConcurrency, logger: logger,
                            requestLogThreshold: .milliseconds(Int64(requestLogThreshold * 1000)),
                            maxRequestsInFlight: maxRequestsInFlight, maxMutatingRequestsInFlight: maxMutatingRequestsInFlight,
                            testingClock: adjustableClock, authentication: serving.authentication, auditLog: auditLog,
                            requestTimeout: GoDuration.parse(requestTimeout) ?? .seconds(60))
        // The controllers' work queues report in /metrics, as kube-controller-manager's do in its own.
        let queueMetrics = PrometheusWorkQueueMetrics(registry: api.metricsRegistry)
        WorkQueueMetricsProviders.set(queueMetrics)
        api.beforeMetricsScrape { queueMetrics.updateUnfinishedWork() }
        let controllers = ControllerContext(registry: registry, timers: adjustableClock ?? SystemTimers(),
                                            logger: Logger(label: "kubelite.controllers"))
        var configuration = HTTPServerConfiguration()
        configuration.bindAddress = bindAddress
        configuration.port = port ?? secure.securePort ?? Self.defaultSecurePort
        configuration.tls = serving.tls
        configuration.threads = max(1, threads)
        configuration.maxHeaderBytes = max(1024, maxHeaderBytes)
        connections.apply(to: &configuration, logger: logger)
        let server = MicroHTTPServer(configuration: configuration, handler: api, logger: logger)
        do {
            try server.start()
        } catch {
            logger.critical("\(error)")
            throw ExitCode.failure
        }
        BindAddressExposure(bindAddress: bindAddress, allowsEveryone: authorizers.first == .alwaysAllow)
            .announce(port: server.port, logger: logger)
        var node = SimulatedNodeOptions(nodes: nodes, podStartDelay: .milliseconds(Int64(podStartDelay * 1000)),
                                        terminationGraceScale: terminationGraceScale)
        node.minimumTermination = .milliseconds(300)
        node.podRuntime = podRuntime
        node.clusterCIDR = podNetworkCIDR
        node.nodeName = nodeName
        node.firstNodeIndex = nodeIndex
        registry.connectPods(NodePodConnection(runtime: runtime, registry: registry))
        let metricsScraper = ResourceMetricsScraper(options: node, runtime: runtime,
                                                    resolution: GoDuration.parse(metricResolution) ?? .seconds(15))
        registry.connectMetrics(metricsScraper)
        // The DNS server asks for its informers before the manager starts them.
        let dns = dnsPort >= 0
            ? ClusterDNSServer(context: controllers, bindAddress: bindAddress, port: UInt16(dnsPort), clusterDomain: clusterDomain)
            : nil
        let serviceProxy = startServiceProxy(runtime: runtime, logger: logger)
        let electedControllers = try startControllers(
            node: node, runtime: runtime, serviceProxy: serviceProxy, metricsScraper: metricsScraper, registry: registry, context: controllers,
            apiServer: .advertising(bindAddress: Self.advertised(bindAddress), port: Int(server.port)),
            rootCA: { (try? credentials.value.certificateAuthority.certificatePEM) ?? "" }, logger: logger)
        if let dns {
            do {
                try dns.start()
                podNetworkDNS.server = dns
                logger.info("cluster DNS serving \(clusterDomain) on \(bindAddress):\(dns.port) (UDP and TCP)")
            } catch {
                logger.critical("could not start the cluster DNS server on port \(dnsPort): \(error)")
                throw ExitCode.failure
            }
        }

        let url = "\(serving.tls == nil ? "http" : "https")://\(bindAddress == "0.0.0.0" ? "127.0.0.1" : bindAddress):\(server.port)"
        if let kubeconfig {
            do {
                try KubeconfigFile.write(to: kubeconfig, server: url, credentials: serving.kubeconfigCredentials)
            } catch {
                logger.critical("could not write kubeconfig \(kubeconfig): \(error)")
                server.stop()
                throw ExitCode.failure
            }
        }
        if let kubeconfig, serving.tls != nil, let copy = Self.containerCopyHint(kubeconfig) {
            logger.notice("the cluster-admin kubeconfig is \(kubeconfig) in this container; from the host: \(copy)")
        } else if kubeconfig == nil, serving.tls != nil {
            announceAdminCredential(logger: logger)
        }
        api.markReady()
        runtime?.preparation.start()
        let millis = Int(Date().timeIntervalSince(started) * 1000)
        logger.info("serving the Kubernetes API on \(url) (ready in \(millis) ms)", metadata: kubeconfig.map { ["kubeconfig": "\($0)"] } ?? [:])

        ShutdownSignals.install(logger: logger) {
            // First, while the store is open: the next replica takes the Leases at once. Bounded:
            // with etcd unreachable the release cannot be written, and the Leases expire anyway.
            let released = DispatchGroup()
            for elected in electedControllers { DispatchQueue.global().async(group: released) { elected.stop() } }
            _ = released.wait(timeout: .now() + 2)
            server.stop()
            // Nothing a pod runs outlives Kubelite, nor the rules that lead to them.
            serviceProxy?.stop()
            runtime?.stopAll()
            if inMemory, let runtime { try? FileManager.default.removeItem(atPath: runtime.root) }
            durable?.close()
            etcd?.close()
            auditLog?.flush()
        }
        // The signal handlers exit; the main thread only has to stay parked. Not dispatchMain():
        // nothing runs on the main queue, and its sigsuspend (a mask in read-only memory) makes
        // valgrind 3.19 crash, which would rule out profiling the server with callgrind.
        while true { DispatchSemaphore(value: 0).wait() }
    }
}

extension Serve {
    /// Over HTTPS without `--kubeconfig`, where the admin's credential is: under RBAC nothing else
    /// may do much, so a user who forgot the flag should not have to search for it.
    func announceAdminCredential(logger: Logger) {
        if inMemory {
            logger.notice("no --kubeconfig: the admin certificate of an --in-memory run exists only in memory; pass --kubeconfig FILE to reach the API as cluster-admin")
        } else {
            let pki = (dataDir ?? Self.defaultDataDirectory()) + "/pki"
            logger.notice("no --kubeconfig: the admin client certificate is \(pki)/admin.crt (key admin.key, CA ca.crt); pass --kubeconfig FILE for a kubeconfig carrying them")
        }
    }

    /// How to get a file out of the container Kubelite runs in, or nil outside one: the image's
    /// kubeconfig is only useful on the host. Docker marks its containers with `/.dockerenv`, Podman
    /// with `/run/.containerenv` and the `container` variable (systemd's convention, which others follow).
    static func containerCopyHint(_ path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let engine: String
        if let named = environment["container"], !named.isEmpty {
            engine = named == "podman" ? "podman" : "docker"
        } else if FileManager.default.fileExists(atPath: "/.dockerenv") {
            engine = "docker"
        } else if FileManager.default.fileExists(atPath: "/run/.containerenv") {
            engine = "podman"
        } else {
            return nil
        }
        return "\(engine) cp CONTAINER:\(absolute) ./kubeconfig"
    }

    /// The service account signing key and the cluster CA: made once into `<data-dir>/pki`, or in
    /// memory for an `--in-memory` run, on a thread of their own while the server starts. Files that
    /// exist but do not parse stop startup; keys that cannot be made or written stop Kubelite.
    func loadCredentials(logger: Logger) throws -> PendingCredentials {
        do {
            return try PendingCredentials(directory: inMemory ? nil : dataDir ?? Self.defaultDataDirectory()) { error in
                logger.critical("cannot make the cluster's credentials: \(error)")
                Foundation.exit(EXIT_FAILURE)
            }
        } catch {
            logger.critical("cannot load the cluster's credentials: \(error)")
            throw ExitCode.failure
        }
    }

    /// The audit log, as kube-apiserver enables it: a policy file and a log path together; a policy
    /// that does not parse stops startup.
    func openAuditLog(logger: Logger) throws -> AuditLog? {
        guard let auditPolicyFile, let auditLogPath else {
            if auditLogPath != nil || auditPolicyFile != nil {
                logger.warning("auditing is off: it needs both --audit-log-path and --audit-policy-file")
            }
            return nil
        }
        do {
            return try AuditLog(path: auditLogPath, policy: try AuditPolicy.load(path: auditPolicyFile))
        } catch {
            logger.critical("invalid audit configuration: \(error)")
            throw ExitCode.failure
        }
    }

    /// The resources' encryption at rest (--encryption-provider-config), for either durable backend.
    func loadEncryption(logger: Logger) throws -> ResourceEncryption? {
        guard let encryptionProviderConfig else { return nil }
        do {
            return ResourceEncryption(try EncryptionConfiguration.load(path: encryptionProviderConfig))
        } catch {
            logger.critical("invalid --encryption-provider-config: \(error)")
            throw ExitCode.failure
        }
    }

    /// Opens the store in --data-dir; a store that cannot start stops kubelite with the reason.
    func openDurableStore(logger: Logger) throws -> SQLiteStorage {
        let directory = dataDir ?? Self.defaultDataDirectory()
        let encryption = try loadEncryption(logger: logger)
        do {
            let store = try SQLiteStorage(directory: directory, historyLimit: watchHistory, historyBytes: watchHistoryBytes,
                                          compactionInterval: .milliseconds(Int64(compactionInterval * 1000)),
                                          transformer: encryption)
            logger.info("durable store \(store.databasePath) at resourceVersion \(store.currentRevision)")
            return store
        } catch {
            logger.critical("cannot start the durable store: \(error)")
            throw ExitCode.failure
        }
    }

    /// The watch history's byte bound by default: 1/16 of physical memory, at most 256 MiB. That holds
    /// five minutes of changes (etcd's history as kube-apiserver compacts it) at 100 writes a second of
    /// 8 KB objects. Events also hold their parsed JSON, and the durable log keeps up to twice the
    /// window between compactions, so the history costs at most about 1/8 of memory and 512 MiB of disk.
    static func defaultWatchHistoryBytes() -> Int {
        Int(min(ProcessInfo.processInfo.physicalMemory / 16, 256 << 20))
    }

    /// `${XDG_DATA_HOME:-$HOME/.local/share}/kubelite`, as the XDG base directories place user data.
    static func defaultDataDirectory() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/kubelite" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/kubelite"
    }

    /// The address the `kubernetes` Service's Endpoints advertise. Endpoints may not hold loopback
    /// addresses, so a loopback bind advertises the host's address, as kube-apiserver's
    /// --advertise-address defaults to it.
    static func advertised(_ bindAddress: String) -> String {
        bindAddress.hasPrefix("127.") ? "0.0.0.0" : bindAddress
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension PodRuntimeMode: ExpressibleByArgument {}
