import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Synchronization

/// The node's resource metrics, as the kubelet's `/metrics/resource` and metrics-server together
/// provide them: every `resolution` (metrics-server's `--metric-resolution`, 15 s), on the injected
/// clock, it reads each running pod of this process's nodes and keeps the last two readings of
/// each container; usage is the CPU rate between them and the later memory.
///
/// - A pod that runs as processes is read from /proc (`ProcessUsageSnapshot`): CPU time and
///   resident memory of the processes in each container's PID namespace.
/// - A simulated pod has no processes: each container uses what it requests (0 when it requests
///   nothing), as if it had done so since the scraper first saw it.
/// - A node's usage is the sum of its pods' usage at each scrape (not the host's /proc/stat: the
///   simulated nodes of one process share one machine, and the kube-reserved part of a real node
///   is not modelled), over the time since the previous scrape.
public final class ResourceMetricsScraper: Controller, ResourceMetricsSource, Sendable {
    public let name = "resource-metrics-scraper"
    public let waitsForCacheSync = true
    let options: SimulatedNodeOptions
    let runtime: ProcessPodRuntime?
    let resolution: Duration
    /// How a scrape reads the processes (tests substitute a fixed reading).
    let readProcesses: @Sendable () -> ProcessUsageSnapshot

    struct State {
        var pods: [String: PodPoints] = [:]
        /// Computed at each scrape, so queries only look up.
        var podUsage: [String: PodUsage] = [:]
        var nodeUsage: [String: NodeUsage] = [:]
        var lastScrape: Date?
        /// When the scraper first saw each simulated pod (by uid): its containers' CPU counts from there.
        var simulatedSince: [String: Date] = [:]
    }
    let state = Mutex(State())

    static let pods = GroupResource(group: "", resource: "pods")

    public convenience init(options: SimulatedNodeOptions, runtime: ProcessPodRuntime? = nil, resolution: Duration = .seconds(15)) {
        self.init(options: options, runtime: runtime, resolution: resolution, readProcesses: { ProcessUsageSnapshot.read() })
    }

    init(options: SimulatedNodeOptions, runtime: ProcessPodRuntime?, resolution: Duration,
         readProcesses: @escaping @Sendable () -> ProcessUsageSnapshot) {
        self.options = options
        self.runtime = options.podRuntime == .simulated ? nil : runtime
        self.resolution = resolution
        self.readProcesses = readProcesses
    }

    public func register(_ context: ControllerContext) {
        _ = context.informer(Self.pods).index(PodsByNodeIndex.name) { PodsByNodeIndex() }
    }

    public func start(_ context: ControllerContext) {
        scrape(context)
    }

    private func scrape(_ context: ControllerContext) {
        let bound = context.informer(Self.pods).index(PodsByNodeIndex.name) { PodsByNodeIndex() }
        scrape(pods: bound.pods(on: Set(options.nodeNames)), now: context.timers.now())
        context.timers.after(resolution) { [self] in scrape(context) }
    }

    /// One scrape at `now` of the running pods bound to this process's nodes.
    func scrape(pods: [JSON], now: Date) {
        let nodes = Set(options.nodeNames)
        let running = pods.filter { nodes.contains(PodView($0).nodeName) && PodView($0).phase == "Running" }
        let processes = running.contains { runtime?.snapshot(uid: $0.meta.uid) != nil } ? readProcesses() : ProcessUsageSnapshot()
        state.withLock { s in
            var seen = Set<String>()
            var nodeTotals: [String: ResourceUsage] = [:]
            for pod in running {
                let key = "\(pod.meta.namespace)/\(pod.meta.name)", uid = pod.meta.uid
                seen.insert(key)
                let points = readings(pod, now: now, processes: processes, simulatedSince: &s.simulatedSince)
                if s.pods[key]?.uid != uid { s.pods[key] = PodPoints(uid: uid) }
                s.pods[key]!.store(points)
                let usage = s.pods[key]!.usage(order: Self.containerNames(pod))
                s.podUsage[key] = usage
                if let usage { nodeTotals[PodView(pod).nodeName, default: .zero] = nodeTotals[PodView(pod).nodeName, default: .zero] + usage.total }
            }
            for key in s.pods.keys where !seen.contains(key) { s.pods[key] = nil; s.podUsage[key] = nil }
            let live = Set(running.map(\.meta.uid))
            s.simulatedSince = s.simulatedSince.filter { live.contains($0.key) }
            if let previous = s.lastScrape, now > previous {
                let window = Duration.nanoseconds(Int64((now.timeIntervalSince(previous) * 1e9).rounded()))
                for node in nodes {
                    s.nodeUsage[node] = NodeUsage(usage: nodeTotals[node] ?? .zero, timestamp: now, window: window)
                }
            }
            s.lastScrape = now
        }
    }

    /// The containers metrics are reported for: the app containers and the sidecars, spec order.
    static func containerNames(_ pod: JSON) -> [String] {
        let view = PodView(pod)
        return view.sidecarContainers.map(\.name) + view.containers.map(\.name)
    }

    /// This scrape's point for each running container of the pod.
    private func readings(_ pod: JSON, now: Date, processes: ProcessUsageSnapshot,
                          simulatedSince: inout [String: Date]) -> [String: MetricsPoint] {
        let uid = pod.meta.uid
        if let record = runtime?.snapshot(uid: uid) {
            var points: [String: MetricsPoint] = [:]
            for name in Self.containerNames(pod) {
                guard let container = record.containers[name], container.running, let instance = container.instance,
                      let pid = instance.pid, let usage = processes.usage(ofNamespaceOf: pid) else { continue }
                points[name] = MetricsPoint(start: instance.startedAt, timestamp: now, cumulativeCPU: usage.cpuNanoseconds,
                                            memory: usage.residentBytes)
            }
            return points
        }
        let since = simulatedSince[uid] ?? now
        simulatedSince[uid] = since
        let view = PodView(pod)
        var points: [String: MetricsPoint] = [:]
        for c in view.sidecarContainers + view.containers {
            let requests = c.resourceRequests
            let cpu = (requests?["cpu"]).flatMap { try? Quantity(json: $0) }.map { max(0, $0.scaledValue(-9)) } ?? 0
            let memory = (requests?["memory"]).flatMap { try? Quantity(json: $0) }.map { max(0, $0.int64Value) } ?? 0
            let elapsed = max(0, now.timeIntervalSince(since))
            points[c.name] = MetricsPoint(start: since, timestamp: now, cumulativeCPU: UInt64(Double(cpu) * elapsed),
                                          memory: UInt64(memory))
        }
        return points
    }

    public func podUsage(namespace: String, name: String) -> PodUsage? {
        state.withLock { $0.podUsage["\(namespace)/\(name)"] }
    }

    public func nodeUsage(name: String) -> NodeUsage? {
        state.withLock { $0.nodeUsage[name] }
    }
}
