import APIMachinery
import Foundation
import Synchronization

/// Resource usage over a window, as metrics-server computes it from two scrapes: CPU is the rate of
/// the cumulative CPU time between them, memory the working set at the later one.
public struct ResourceUsage: Sendable, Equatable {
    /// CPU in nanocores (nanoseconds of CPU time per second).
    public var cpuNanocores: UInt64
    /// Working-set memory in bytes.
    public var memoryBytes: UInt64

    public init(cpuNanocores: UInt64, memoryBytes: UInt64) { self.cpuNanocores = cpuNanocores; self.memoryBytes = memoryBytes }

    public static let zero = ResourceUsage(cpuNanocores: 0, memoryBytes: 0)

    public static func + (a: ResourceUsage, b: ResourceUsage) -> ResourceUsage {
        ResourceUsage(cpuNanocores: a.cpuNanocores &+ b.cpuNanocores, memoryBytes: a.memoryBytes &+ b.memoryBytes)
    }
}

/// One pod's metrics (metrics.k8s.io PodMetrics): each container's usage over the same window.
public struct PodUsage: Sendable, Equatable {
    public var containers: [(name: String, usage: ResourceUsage)]
    /// The end of the window (the later scrape).
    public var timestamp: Date
    /// The time between the two scrapes the rate was computed from.
    public var window: Duration

    public init(containers: [(name: String, usage: ResourceUsage)], timestamp: Date, window: Duration) {
        self.containers = containers; self.timestamp = timestamp; self.window = window
    }

    public var total: ResourceUsage { containers.reduce(.zero) { $0 + $1.usage } }

    public static func == (a: PodUsage, b: PodUsage) -> Bool {
        a.timestamp == b.timestamp && a.window == b.window && a.containers.map(\.name) == b.containers.map(\.name)
            && a.containers.map(\.usage) == b.containers.map(\.usage)
    }
}

/// One node's metrics (metrics.k8s.io NodeMetrics).
public struct NodeUsage: Sendable, Equatable {
    public var usage: ResourceUsage
    public var timestamp: Date
    public var window: Duration

    public init(usage: ResourceUsage, timestamp: Date, window: Duration) {
        self.usage = usage; self.timestamp = timestamp; self.window = window
    }
}

/// Where `metrics.k8s.io` reads from: upstream's metrics-server scrapes each kubelet's resource
/// metrics and keeps the last two points per container; here the node runs in the same process
/// and keeps them itself. Nil answers mean "no metrics yet" (fewer than two scrapes of the pod or
/// node), which the API answers as metrics-server does: NotFound for a get, left out of a list.
public protocol ResourceMetricsSource: Sendable {
    func podUsage(namespace: String, name: String) -> PodUsage?
    func nodeUsage(name: String) -> NodeUsage?
}

/// Where the Registry keeps the node's `ResourceMetricsSource`, wired once at start-up.
final class ResourceMetricsSlot: Sendable {
    private let source = Mutex<(any ResourceMetricsSource)?>(nil)
    func set(_ value: any ResourceMetricsSource) { source.withLock { $0 = value } }
    func get() -> (any ResourceMetricsSource)? { source.withLock { $0 } }
}

/// The resources of `metrics.k8s.io/v1beta1` as metrics-server registers them: get and list only
/// (no watch: its storage is no rest.Watcher), no short names, an empty singular name.
public enum MetricsResources {
    public static let group = "metrics.k8s.io"
    public static let version = "v1beta1"

    public static let pods: APIResource = {
        var r = APIResource(group: group, version: version, kind: "PodMetrics", plural: "pods", namespaced: true,
                            verbs: ["get", "list"], definition: "io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetrics")
        r.singular = ""
        return r
    }()

    public static let nodes: APIResource = {
        var r = APIResource(group: group, version: version, kind: "NodeMetrics", plural: "nodes", namespaced: false,
                            verbs: ["get", "list"], definition: "io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics")
        r.singular = ""
        return r
    }()

    public static let all = [nodes, pods]
}

extension Registry {
    /// Connects `metrics.k8s.io` to the node that measures its pods; until then the group is not
    /// served (as on a cluster without metrics-server).
    public func connectMetrics(_ source: any ResourceMetricsSource) { resourceMetricsSlot.set(source) }

    /// The node's resource metrics; nil until `connectMetrics`.
    public var resourceMetrics: (any ResourceMetricsSource)? { resourceMetricsSlot.get() }

    /// What discovery lists beside the stored resources: `metrics.k8s.io` once connected.
    public var aggregatedResources: [APIResource] { resourceMetrics == nil ? [] : MetricsResources.all }
}
