import ArgumentParser
import Foundation
import Logging
import ClusterDNS
import Node

extension Serve {
    /// The process runtime `--pod-runtime` asks for, or nil when every pod is simulated. `process`
    /// on a machine that cannot run pods, or an image catalog that does not parse, stops startup
    /// with the reason; `auto` falls back to simulating. What a crashed run left under the same
    /// root is ended first.
    func startPodRuntime(logger: Logger, dns: PodNetworkDNS) throws -> ProcessPodRuntime? {
        var catalog = ImageCatalog.builtIn
        if let imageCatalog {
            do {
                catalog = catalog.adding(try ImageCatalogFile.load(path: imageCatalog))
            } catch {
                throw ValidationError("--image-catalog: \(error.description)")
            }
        }
        guard podRuntime != .simulated else { return nil }
        let root = inMemory ? NSTemporaryDirectory() + "kubelite-runtime-\(getpid())" : (dataDir ?? Self.defaultDataDirectory())
        let network = PodNetwork(runtimeRoot: root, clusterCIDR: podNetworkCIDR, clusterDomain: clusterDomain,
                                 gatewayAdded: { dns.listen(on: $0) })
        if podRuntime == .process {
            if let reason = ProcessRuntimeProbe.reason ?? network.unavailableReason() {
                throw ValidationError("--pod-runtime process: running pods needs \(reason)")
            }
            let runtime = ProcessPodRuntime(root: root, catalog: catalog, network: network)
            Self.removeLeftovers(of: runtime, logger: logger)
            logger.info("pods run as processes (--pod-runtime process), under \(root)")
            return runtime
        }
        // auto: the checks run once the server is ready (`preparation.start()`); the kubelet waits
        // for them before it decides how to run its first pod.
        let holder = RuntimeHolder()
        let preparation = RuntimePreparation {
            if let reason = ProcessRuntimeProbe.reason {
                logger.notice("pods are simulated: running them needs \(reason)")
                return reason
            }
            if let runtime = holder.runtime { Self.removeLeftovers(of: runtime, logger: logger) }
            if inMemory { Self.removeAbandonedInMemoryRuns(logger: logger) }
            // After the leftovers: a crashed run's bridge under this root no longer counts as in use.
            if let reason = network.unavailableReason() {
                logger.notice("pods are simulated: running them needs \(reason)")
                return reason
            }
            logger.info("pods whose images are in the catalog run as processes (--pod-runtime auto), under \(root)")
            return nil
        }
        let runtime = ProcessPodRuntime(root: root, catalog: catalog, preparation: preparation, network: network)
        holder.runtime = runtime
        return runtime
    }

    /// An in-memory run keeps its pods under a directory named for its process id, so a crashed
    /// one's leftovers are found by that name: a directory whose process is gone is ended and removed.
    private static func removeAbandonedInMemoryRuns(logger: Logger) {
        let temporary = NSTemporaryDirectory()
        let prefix = "kubelite-runtime-"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = pid_t(entry.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let root = temporary + entry
            removeLeftovers(of: ProcessPodRuntime(root: root), logger: logger)
            removeServiceRules(runtimeRoot: root, logger: logger)
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    private static func removeLeftovers(of runtime: ProcessPodRuntime, logger: Logger) {
        let leftovers = runtime.removeLeftovers()
        if leftovers > 0 { logger.notice("ended \(leftovers) processes a previous run of Kubelite left behind") }
    }

    /// A crashed run's service rules under `root` (its nftables table, the forwarding setting it changed).
    private static func removeServiceRules(runtimeRoot root: String, logger: Logger) {
        if geteuid() == 0, ServiceProxy.removeLeftover(runtimeRoot: root) {
            logger.notice("removed the service rules (nftables table \(ServiceProxy.tableName(runtimeRoot: root))) a previous run of Kubelite left behind")
        }
    }

    /// The node's service proxy (ClusterIPs and NodePorts in nftables), when pods may run for real
    /// and this machine can program the kernel; nil otherwise, saying why.
    func startServiceProxy(runtime: ProcessPodRuntime?, logger: Logger) -> ServiceProxy? {
        if geteuid() == 0 {
            for table in ServiceProxy.removeAbandoned() {
                logger.notice("removed the service rules (nftables table \(table)) of a Kubelite that is gone")
            }
        }
        guard let runtime else {
            // Simulated pods need no rules, but a crashed run's under this data dir still go.
            if !inMemory { Self.removeServiceRules(runtimeRoot: dataDir ?? Self.defaultDataDirectory(), logger: logger) }
            return nil
        }
        if let reason = ServiceProxy.unavailableReason {
            logger.notice("ClusterIPs and NodePorts are not programmed on this host: the service proxy needs \(reason)")
            return nil
        }
        // A crashed run's table under this root goes first (with --pod-runtime auto the runtime's
        // own leftover removal comes later, once the machine has been probed).
        Self.removeServiceRules(runtimeRoot: runtime.root, logger: logger)
        let proxy = ServiceProxy(runtimeRoot: runtime.root)
        logger.info("service proxy: ClusterIPs and NodePorts in nftables table ip \(proxy.table)")
        return proxy
    }
}

extension Serve {
    /// `--cluster-cidr`, checked by `validate`.
    var podNetworkCIDR: IPv4CIDR { IPv4CIDR(clusterCIDR) ?? .defaultCluster }
}

/// The cluster DNS as pods reach it: on each node gateway's port 53 (a resolv.conf cannot name a
/// port). The pod network asks for it when it adds a gateway; the DNS server is set once it runs.
final class PodNetworkDNS: @unchecked Sendable {
    private let lock = NSLock()
    private let port: UInt16?
    private let logger: Logger
    private var _server: ClusterDNSServer?

    /// `port` nil: no cluster DNS (--dns-port=-1), pods use the host's resolver.
    init(port: UInt16?, logger: Logger) { self.port = port; self.logger = logger }

    var server: ClusterDNSServer? {
        get { lock.withLock { _server } }
        set { lock.withLock { _server = newValue } }
    }

    /// Whether the cluster DNS now answers on `gateway`:53.
    func listen(on gateway: String) -> Bool {
        guard let port, let server else { return false }
        do {
            try server.listen(on: gateway, port: port)
            return true
        } catch {
            logger.warning("pods fall back to the host's resolver: the cluster DNS cannot listen on \(gateway):\(port): \(error)")
            return false
        }
    }
}

/// Lets the start-up checks reach the runtime they belong to, which is made after them.
private final class RuntimeHolder: @unchecked Sendable {
    var runtime: ProcessPodRuntime?
}
