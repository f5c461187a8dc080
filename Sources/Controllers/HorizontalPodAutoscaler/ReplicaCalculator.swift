import APIMachinery
import Foundation

/// One pod's reading of one resource, as the HPA's metrics client reduces PodMetrics: the sum over
/// the pod's containers, in milli-units (millicores, milli-bytes), with the window it covers.
struct PodMetric: Sendable, Equatable {
    var timestamp: Date
    var window: TimeInterval
    var value: Int64
}

/// The replica calculation of pkg/controller/podautoscaler (ReplicaCalculator) for Resource
/// metrics: utilization relative to requests (GetResourceReplicas) or an average value
/// (GetRawResourceReplicas), with upstream's handling of pods that are unready, missing metrics or
/// going away. Pure: pods, metrics and the time come in, so it is tested without a cluster.
struct ReplicaCalculator: Sendable {
    /// --horizontal-pod-autoscaler-tolerance.
    var tolerance = 0.1
    /// --horizontal-pod-autoscaler-cpu-initialization-period.
    var cpuInitializationPeriod: TimeInterval = 5 * 60
    /// --horizontal-pod-autoscaler-initial-readiness-delay.
    var delayOfInitialReadinessStatus: TimeInterval = 30

    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A proposal: the replica count, and for the status the utilization (nil for an average-value
    /// target) and the raw average in milli-units.
    struct Proposal: Sendable, Equatable {
        var replicas: Int
        var utilization: Int?
        var rawAverage: Int64
    }

    /// GetResourceReplicas: `targetUtilization` percent of the pods' requests.
    func resourceReplicas(current: Int, targetUtilization: Int, resource: String, pods: [JSON],
                          metrics given: [String: PodMetric], now: Date) throws(Failure) -> Proposal {
        var (metrics, groups) = try readyMetrics(pods, given, resource: resource, now: now)
        let requests = try Self.requests(pods, resource: resource)
        let (usageRatio, utilization, raw) = try Self.utilizationRatio(metrics, requests: requests, target: targetUtilization)

        let scaleUpWithUnready = !groups.unready.isEmpty && usageRatio > 1.0
        if !scaleUpWithUnready && groups.missing.isEmpty {
            if abs(1.0 - usageRatio) <= tolerance { return Proposal(replicas: current, utilization: utilization, rawAverage: raw) }
            return Proposal(replicas: Int((usageRatio * Double(groups.readyCount)).rounded(.up)), utilization: utilization, rawAverage: raw)
        }
        if !groups.missing.isEmpty {
            if usageRatio < 1.0 {
                // On a scale-down, missing pods count as using all of their request (or the target,
                // for targets above 100%).
                let fallback = Int64(max(100, targetUtilization))
                for name in groups.missing { metrics[name] = PodMetric(timestamp: now, window: 0, value: (requests[name] ?? 0) * fallback / 100) }
            } else if usageRatio > 1.0 {
                for name in groups.missing { metrics[name] = PodMetric(timestamp: now, window: 0, value: 0) }
            }
        }
        if scaleUpWithUnready {
            for name in groups.unready { metrics[name] = PodMetric(timestamp: now, window: 0, value: 0) }
        }
        let (newRatio, _, _) = try Self.utilizationRatio(metrics, requests: requests, target: targetUtilization)
        if abs(1.0 - newRatio) <= tolerance || (usageRatio < 1.0 && newRatio > 1.0) || (usageRatio > 1.0 && newRatio < 1.0) {
            return Proposal(replicas: current, utilization: utilization, rawAverage: raw)
        }
        let replicas = Int((newRatio * Double(metrics.count)).rounded(.up))
        if (newRatio < 1.0 && replicas > current) || (newRatio > 1.0 && replicas < current) {
            return Proposal(replicas: current, utilization: utilization, rawAverage: raw)
        }
        return Proposal(replicas: replicas, utilization: utilization, rawAverage: raw)
    }

    /// GetRawResourceReplicas (calcPlainMetricReplicas): an average value per pod, in milli-units.
    func averageValueReplicas(current: Int, targetAverage: Int64, resource: String, pods: [JSON],
                              metrics given: [String: PodMetric], now: Date) throws(Failure) -> Proposal {
        var (metrics, groups) = try readyMetrics(pods, given, resource: resource, now: now)
        let (usageRatio, usage) = Self.usageRatio(metrics, target: targetAverage)
        let scaleUpWithUnready = !groups.unready.isEmpty && usageRatio > 1.0
        if !scaleUpWithUnready && groups.missing.isEmpty {
            if abs(1.0 - usageRatio) <= tolerance { return Proposal(replicas: current, utilization: nil, rawAverage: usage) }
            return Proposal(replicas: Int((usageRatio * Double(groups.readyCount)).rounded(.up)), utilization: nil, rawAverage: usage)
        }
        if !groups.missing.isEmpty {
            for name in groups.missing { metrics[name] = PodMetric(timestamp: now, window: 0, value: usageRatio < 1.0 ? targetAverage : 0) }
        }
        if scaleUpWithUnready {
            for name in groups.unready { metrics[name] = PodMetric(timestamp: now, window: 0, value: 0) }
        }
        let (newRatio, _) = Self.usageRatio(metrics, target: targetAverage)
        if abs(1.0 - newRatio) <= tolerance || (usageRatio < 1.0 && newRatio > 1.0) || (usageRatio > 1.0 && newRatio < 1.0) {
            return Proposal(replicas: current, utilization: nil, rawAverage: usage)
        }
        return Proposal(replicas: Int((newRatio * Double(metrics.count)).rounded(.up)), utilization: nil, rawAverage: usage)
    }

    /// The pods grouped, and the metrics of those neither ignored nor unready: what both
    /// calculations start from, as upstream's do.
    private func readyMetrics(_ pods: [JSON], _ given: [String: PodMetric], resource: String,
                              now: Date) throws(Failure) -> ([String: PodMetric], PodGroups) {
        guard !pods.isEmpty else { throw Failure("no pods returned by selector while calculating replica count") }
        var metrics = given
        let groups = groupPods(pods, metrics: metrics, resource: resource, now: now)
        for name in groups.ignored.union(groups.unready) { metrics[name] = nil }
        guard !metrics.isEmpty else { throw Failure("did not receive metrics for targeted pods (pods might be unready)") }
        return (metrics, groups)
    }

    struct PodGroups: Equatable {
        var readyCount = 0
        var unready = Set<String>()
        var missing = Set<String>()
        var ignored = Set<String>()
    }

    /// groupPods: pods going away or failed are ignored; pending ones are unready; running ones
    /// without a metric are missing; for CPU, a pod is unready too when it is not Ready yet, or
    /// within its initialization period its sample may predate its readiness.
    func groupPods(_ pods: [JSON], metrics: [String: PodMetric], resource: String, now: Date) -> PodGroups {
        var groups = PodGroups()
        for pod in pods {
            let view = PodView(pod), name = pod.meta.name
            if pod.meta.isBeingDeleted || view.phase == "Failed" { groups.ignored.insert(name); continue }
            if view.phase == "Pending" { groups.unready.insert(name); continue }
            guard let metric = metrics[name] else { groups.missing.insert(name); continue }
            if resource == "cpu" {
                var unready: Bool
                let ready = view.condition("Ready")
                let start = pod[path: "status", "startTime"]?.stringValue.flatMap(Timestamp.parse)
                if let ready, let start {
                    let transition = ready.lastTransitionTime.flatMap(Timestamp.parse) ?? start
                    if start.addingTimeInterval(cpuInitializationPeriod) > now {
                        unready = ready.status == "False" || metric.timestamp < transition.addingTimeInterval(metric.window)
                    } else {
                        unready = ready.status == "False" && start.addingTimeInterval(delayOfInitialReadinessStatus) > transition
                    }
                } else {
                    unready = true
                }
                if unready { groups.unready.insert(name); continue }
            }
            groups.readyCount += 1
        }
        return groups
    }

    /// calculateRequests: each pod's summed request (app containers and sidecars), in milli-units;
    /// a container without one makes utilization meaningless.
    static func requests(_ pods: [JSON], resource: String) throws(Failure) -> [String: Int64] {
        var requests: [String: Int64] = [:]
        for pod in pods {
            let view = PodView(pod)
            var sum: Int64 = 0
            for c in view.containers + view.sidecarContainers {
                let request = (c.resourceRequests?[resource]).flatMap { try? Quantity(json: $0) }
                guard let request, !request.isZero else {
                    throw Failure("missing request for \(resource) in container \(c.name) of Pod \(pod.meta.name)")
                }
                sum += request.milliValue
            }
            requests[pod.meta.name] = sum
        }
        return requests
    }

    /// GetResourceUtilizationRatio: total usage over total requests of the pods that have both.
    static func utilizationRatio(_ metrics: [String: PodMetric], requests: [String: Int64],
                                 target: Int) throws(Failure) -> (ratio: Double, utilization: Int, rawAverage: Int64) {
        var usage: Int64 = 0, requested: Int64 = 0, entries: Int64 = 0
        for (name, metric) in metrics {
            guard let request = requests[name] else { continue }
            usage += metric.value
            requested += request
            entries += 1
        }
        guard requested != 0 else { throw Failure("no metrics returned matched known pods") }
        let utilization = Int(Int32(truncatingIfNeeded: usage * 100 / requested))
        return (Double(utilization) / Double(target), utilization, usage / entries)
    }

    /// GetMetricUsageRatio: the average usage over the target average.
    static func usageRatio(_ metrics: [String: PodMetric], target: Int64) -> (ratio: Double, average: Int64) {
        let total = metrics.values.reduce(Int64(0)) { $0 + $1.value }
        let average = total / Int64(max(1, metrics.count))
        return (Double(average) / Double(target), average)
    }
}
