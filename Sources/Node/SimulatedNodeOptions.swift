import ControllerRuntime
import Foundation

/// How the built-in simulated node behaves (what kwok would be configured with): how many nodes
/// exist, how fast their pods start, how long graceful deletion really takes, and what each node
/// reports as its capacity.
public struct SimulatedNodeOptions: Sendable {
    /// Number of Node objects (`--nodes`): one node is named `kubelite-node`, several are
    /// `kubelite-node-1` … `kubelite-node-N`.
    public var nodes: Int
    /// Time from a pod's binding to its containers running (`--pod-start-delay`); zero starts
    /// pods as fast as the controllers run. While it lasts the pod shows Pending / ContainerCreating.
    public var podStartDelay: Duration
    /// Fraction of a pod's grace period the kubelet waits before removing a deleted pod
    /// (`--termination-grace-scale`): 0 removes it as soon as it is marked, 1 waits the whole
    /// terminationGracePeriodSeconds as a real kubelet whose containers ignore SIGTERM would.
    public var terminationGraceScale: Double
    /// The least time between a graceful deletion and the pod's removal, whatever the grace period
    /// (`kubelite serve` uses 300 ms, as a real kubelet never removes a pod instantly).
    public var minimumTermination: Duration = .zero
    /// What each node reports as capacity and allocatable.
    public var cpu: String
    public var memory: String
    public var pods: Int
    public var ephemeralStorage: String
    /// How often each node's Lease in kube-node-lease is renewed (upstream: a quarter of the 40 s
    /// lease duration).
    public var leaseRenewInterval: Duration
    /// How often node status is re-posted when nothing changed (upstream's
    /// nodeStatusReportFrequency, 5 minutes); the Lease is the frequent heartbeat.
    public var nodeStatusReportInterval: Duration
    /// Whether pods run for real (`--pod-runtime`); `.simulated` unless a process runtime is given.
    public var podRuntime: PodRuntimeMode = .simulated
    /// The pods' network (`--cluster-cidr`); node `i` gets its `i`-th /24 as `spec.podCIDR`.
    public var clusterCIDR: IPv4CIDR = .defaultCluster
    /// The node's name (`--node-name`), in place of `kubelite-node`; with several nodes they are
    /// `<name>-1` … `<name>-N`. Replicas sharing one etcd each name their own.
    public var nodeName: String?
    /// The index of the first node (`--node-index`): node `i` of this process is the cluster's
    /// node `firstNodeIndex + i`, whose podCIDR and InternalIP it takes. Replicas sharing one etcd
    /// each take their own, so their pods' addresses never collide.
    public var firstNodeIndex = 0

    public init(nodes: Int = 1, podStartDelay: Duration = .zero, terminationGraceScale: Double = 0,
                cpu: String = "8", memory: String = "16Gi", pods: Int = 110, ephemeralStorage: String = "100Gi",
                leaseRenewInterval: Duration = .seconds(10), nodeStatusReportInterval: Duration = .seconds(300)) {
        self.nodes = max(0, nodes)
        self.podStartDelay = podStartDelay
        self.terminationGraceScale = max(0, terminationGraceScale)
        self.cpu = cpu
        self.memory = memory
        self.pods = pods
        self.ephemeralStorage = ephemeralStorage
        self.leaseRenewInterval = leaseRenewInterval
        self.nodeStatusReportInterval = nodeStatusReportInterval
    }

    /// The node names, in order.
    public var nodeNames: [String] {
        let base = nodeName ?? "kubelite-node"
        return nodes == 1 ? [base] : (0..<nodes).map { "\(base)-\($0 + 1)" }
    }

    /// The node names with their indexes in the cluster (podCIDR, InternalIP).
    public var indexedNodeNames: [(index: Int, name: String)] {
        nodeNames.enumerated().map { (firstNodeIndex + $0.offset, $0.element) }
    }

    /// The cluster index of one of this process's nodes.
    public func index(of node: String) -> Int { firstNodeIndex + (nodeNames.firstIndex(of: node) ?? 0) }

    /// Node `index` (0-based) gets the `index`-th /24 of the cluster CIDR (10.244.<index>.0/24 by
    /// default, as kind's first nodes do).
    public func podCIDR(index: Int) -> IPv4CIDR { clusterCIDR.nodeSubnet(index) }

    /// Node `index` (0-based) gets 172.18.0.<index + 2> (172.18.0.1 is the gateway of kind's network).
    public static func internalIP(index: Int) -> String { "172.18.\((index + 2) / 256).\((index + 2) % 256)" }
}

/// The simulated node's controllers: node lifecycle (Node objects, Leases), the default
/// scheduler and the kubelet simulation.
public enum SimulatedNode {
    /// `runtime` runs the pods `options.podRuntime` selects for real; without it every pod is simulated.
    public static func controllers(options: SimulatedNodeOptions, runtime: ProcessPodRuntime? = nil) -> [any Controller] {
        [Scheduler()] + kubelet(options: options, runtime: runtime)
    }

    /// What runs on each node whoever leads: node lifecycle, the kubelet, volume directory reclaiming.
    public static func kubelet(options: SimulatedNodeOptions, runtime: ProcessPodRuntime? = nil) -> [any Controller] {
        [NodeLifecycle(options: options), KubeletSimulator(options: options, runtime: runtime)]
            + (runtime.map { [VolumeDirectoryReclaimer(runtime: $0)] } ?? [])
    }
}
