import Foundation
import Synchronization

/// The node's pod network, built as the CNI `bridge` plugin builds it: one Linux bridge per
/// Kubelite (named for its runtime root, so a later start finds a crashed run's bridge), carrying
/// the gateway `.1` of each node's /24, and one veth pair per pod with `eth0` in the pod's network
/// namespace. Pods reach each other and the host through the bridge alone: the route to the
/// whole cluster CIDR is on-link, so nothing is forwarded and no kernel setting changes.
public final class PodNetwork: Sendable {
    public let bridge: String
    public let clusterCIDR: IPv4CIDR
    public let clusterDomain: String
    /// Called once per gateway address when it is added to the bridge; answers whether the cluster
    /// DNS now serves there on port 53 (false: pods fall back to the host's resolver).
    private let gatewayAdded: @Sendable (_ gateway: String) -> Bool
    private let state = Mutex(State())

    private struct State {
        var bridgeUp = false
        /// Gateway address → whether the cluster DNS listens on it.
        var gateways: [String: Bool] = [:]
    }

    public struct SetupError: Error, CustomStringConvertible { public var description: String }

    /// What one pod's sandbox gets: its address on its node's subnet, the gateway, the cluster route
    /// and the bridge its veth joins.
    public struct Attachment: Sendable, Equatable {
        public var bridge: String
        public var address: String
        public var subnet: IPv4CIDR
        public var gateway: String
        public var clusterCIDR: IPv4CIDR
        /// The nameserver a ClusterFirst pod uses, nil when there is no cluster DNS.
        public var clusterDNS: String?

        /// The commands, run inside the pod's network namespace, that configure `eth0`.
        var podCommands: [String] {
            ["link set lo up", "addr add \(address)/\(subnet.prefixLength) dev eth0", "link set eth0 up",
             "route add \(clusterCIDR) dev eth0", "route add default via \(gateway)"]
        }
    }

    public init(runtimeRoot: String, clusterCIDR: IPv4CIDR, clusterDomain: String,
                gatewayAdded: @escaping @Sendable (_ gateway: String) -> Bool = { _ in false }) {
        bridge = Self.bridgeName(runtimeRoot: runtimeRoot)
        self.clusterCIDR = clusterCIDR
        self.clusterDomain = clusterDomain
        self.gatewayAdded = gatewayAdded
    }

    /// `kl-` and 8 hex digits of the root's hash: within the 15 bytes of an interface name, the same
    /// for every run under one root.
    public static func bridgeName(runtimeRoot: String) -> String {
        "kl-" + NodeTemplate.stableHex(runtimeRoot, length: 8)
    }

    /// Why the network cannot be built here: `ip` missing, or the cluster CIDR overlapping an
    /// address of another interface (another Kubelite's pods, or the host's own network), which
    /// would make pods unreachable.
    public func unavailableReason() -> String? {
        guard FileManager.default.isExecutableFile(atPath: IPRoute.path) else { return "\(IPRoute.path) (Debian package iproute2)" }
        for (interface, cidr) in IPRoute.addresses() where interface != bridge {
            if let network = IPv4CIDR(cidr), network.overlaps(clusterCIDR) {
                return "a free pod network: \(clusterCIDR) overlaps \(cidr) on \(interface) (choose another with --cluster-cidr)"
            }
        }
        return nil
    }

    /// The attachment for a pod with `address` in `subnet`; makes the bridge and the subnet's gateway
    /// on first use.
    public func attachment(address: String, subnet: IPv4CIDR) throws(SetupError) -> Attachment {
        let gateway = subnet.address(1)
        let dns = try state.withLock { state throws(SetupError) -> Bool in
            if let dns = state.gateways[gateway] { return dns }
            var commands: [String] = []
            if !state.bridgeUp {
                // A bridge left by a crash under this root is replaced (its pods are gone).
                if IPRoute.linkExists(bridge) { commands.append("link delete \(bridge)") }
                commands += ["link add name \(bridge) type bridge", "link set \(bridge) up"]
            }
            commands.append("addr add \(gateway)/\(subnet.prefixLength) dev \(bridge)")
            do { try IPRoute.batch(commands) } catch {
                throw SetupError(description: "setting up the pod network on \(bridge): \(error)")
            }
            state.bridgeUp = true
            let dns = gatewayAdded(gateway)
            state.gateways[gateway] = dns
            return dns
        }
        return Attachment(bridge: bridge, address: address, subnet: subnet, gateway: gateway, clusterCIDR: clusterCIDR,
                          clusterDNS: dns ? gateway : nil)
    }

    /// Creates the pod's veth pair: `eth0` in the namespace of `pid`, the host end on the bridge.
    /// The pair goes away with the namespace when the pod's last process ends.
    static func connect(_ attachment: Attachment, pid: pid_t) throws(SetupError) {
        let host = "veth" + String(UInt32.random(in: 0...UInt32.max), radix: 16).leftPadded(to: 8)
        do {
            // Hairpin, as the CNI bridge plugin's hairpinMode: a pod reaching itself through its
            // Service's ClusterIP has its packet DNATed back to its own port (by br_netfilter, at
            // the bridge), which a bridge port otherwise refuses to send out where it came in.
            try IPRoute.batch(["link add \(host) type veth peer name eth0 netns \(pid)",
                               "link set \(host) master \(attachment.bridge) up",
                               "link set \(host) type bridge_slave hairpin on"])
        } catch {
            throw SetupError(description: "connecting the pod to \(attachment.bridge): \(error)")
        }
    }

    /// Removes the bridge (Kubelite's shutdown, after every pod ended).
    public func tearDown() {
        state.withLock { state in
            if state.bridgeUp || IPRoute.linkExists(bridge) { _ = IPRoute.run(["link", "delete", bridge]) }
            state = State()
        }
    }

    /// Removes the bridge a run under `runtimeRoot` left behind (a crash); true when there was one.
    @discardableResult
    public static func removeLeftover(runtimeRoot: String) -> Bool {
        let name = bridgeName(runtimeRoot: runtimeRoot)
        guard IPRoute.linkExists(name) else { return false }
        return IPRoute.run(["link", "delete", name]).0 == 0
    }
}

extension String {
    func leftPadded(to length: Int) -> String { count >= length ? self : String(repeating: "0", count: length - count) + self }
}
