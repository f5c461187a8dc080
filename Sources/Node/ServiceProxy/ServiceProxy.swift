import APIMachinery
import ControllerRuntime
import Foundation
import Logging
import Synchronization

/// The node's kube-proxy (nftables mode): watches Services and EndpointSlices and keeps one nftables
/// table, named for the runtime root as the bridge is (`kubelite-<hash>`), so that ClusterIPs and
/// NodePorts reach ready endpoints from the host and from pods. Changes are coalesced: a burst of
/// updates is one rewrite of the table, at most every `minSyncInterval`. `stop` removes the table
/// and, when no other Kubelite's proxy runs, puts `net.ipv4.ip_forward` back; `removeLeftover`
/// does the same for a crashed run.
public final class ServiceProxy: Controller, @unchecked Sendable {
    public let name = "service-proxy"
    public let table: String
    private let queue = DispatchQueue(label: "kubelite.service-proxy")
    private let state = Mutex(State())
    static let minSyncInterval: TimeInterval = 0.05

    private struct State {
        var context: ControllerContext?
        var scheduled = false
        var applied: String?
        var stopped = false
        var logger = Logger(label: "kubelite.service-proxy")
    }

    public init(runtimeRoot: String) {
        table = Self.tableName(runtimeRoot: runtimeRoot)
    }

    /// `kubelite-` and the same 8 hex digits as the bridge's name: one table per runtime root.
    public static func tableName(runtimeRoot: String) -> String {
        "kubelite-" + NodeTemplate.stableHex(runtimeRoot, length: 8)
    }

    /// Why the proxy cannot run here, or nil.
    public static var unavailableReason: String? {
        if geteuid() != 0 { return "root" }
        if !NFTables.isAvailable { return "\(NFTables.path) (Debian package nftables)" }
        return nil
    }

    /// Removes what a run under `runtimeRoot` left (a crash): its table, and the forwarding setting
    /// it changed. True when there was something.
    @discardableResult
    public static func removeLeftover(runtimeRoot: String) -> Bool {
        guard NFTables.isAvailable, NFTables.deleteTable(tableName(runtimeRoot: runtimeRoot)) else { return false }
        IPForwarding.restore(stillNeeded: !NFTables.tables(prefix: "kubelite-").isEmpty)
        return true
    }

    /// Removes every Kubelite table whose owning process is gone: a crashed run's, whatever its data
    /// directory (an `--in-memory` run's or a temporary one is never started again to clean up after
    /// itself). Returns the tables removed.
    @discardableResult
    public static func removeAbandoned() -> [String] {
        guard NFTables.isAvailable else { return [] }
        var removed: [String] = []
        for table in NFTables.tables(prefix: "kubelite-") {
            guard let pid = NFTables.owner(of: table), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            if NFTables.deleteTable(table) { removed.append(table) }
        }
        if !removed.isEmpty { IPForwarding.restore(stillNeeded: !NFTables.tables(prefix: "kubelite-").isEmpty) }
        return removed
    }

    public func register(_ context: ControllerContext) {
        state.withLock { $0.context = context; $0.logger = context.logger }
        let handler = Informer.Handler(added: { [self] _ in schedule() }, updated: { [self] _, _ in schedule() },
                                       deleted: { [self] _ in schedule() })
        context.informer(GroupResource(group: "", resource: "services")).addHandler(handler)
        context.informer(GroupResource(group: "discovery.k8s.io", resource: "endpointslices")).addHandler(handler)
    }

    public func start(_ context: ControllerContext) {
        if !IPForwarding.enable() {
            context.logger.warning("service proxy: could not turn on net.ipv4.ip_forward: pods will not reach ClusterIPs")
        }
        schedule()
    }

    /// Removes the table and restores forwarding (Kubelite's shutdown).
    public func stop() {
        queue.sync {
            state.withLock { $0.stopped = true }
            NFTables.deleteTable(table)
            IPForwarding.restore(stillNeeded: !NFTables.tables(prefix: "kubelite-").isEmpty)
        }
    }

    private func schedule() {
        let first = state.withLock { state -> Bool in
            defer { state.scheduled = true }
            return !state.scheduled && !state.stopped
        }
        guard first else { return }
        queue.asyncAfter(deadline: .now() + Self.minSyncInterval) { [self] in sync() }
    }

    private func sync() {
        guard let (context, logger) = state.withLock({ state -> (ControllerContext, Logger)? in
            state.scheduled = false
            guard !state.stopped, let context = state.context else { return nil }
            return (context, state.logger)
        }) else { return }
        let services = context.informer(GroupResource(group: "", resource: "services")).list()
        let slices = context.informer(GroupResource(group: "discovery.k8s.io", resource: "endpointslices")).list()
        let script = ServiceProxyRules(services: services, slices: slices).script(table: table)
        guard state.withLock({ $0.applied }) != script else { return }
        do {
            try NFTables.apply(script)
            state.withLock { $0.applied = script }
        } catch {
            logger.error("service proxy: nft refused the rules for table \(table): \(error)")
        }
    }
}
