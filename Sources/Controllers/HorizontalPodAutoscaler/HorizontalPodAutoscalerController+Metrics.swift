import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension HorizontalPodAutoscalerController {
    struct MetricsResult {
        /// The highest proposal; -1 when nothing can be done.
        var replicas: Int
        var metric: String
        var statuses: [JSON]?
        var error: String?
    }

    struct MetricFailure: Error {
        /// The ScalingActive condition's reason (also the event's).
        var reason: String
        /// What the event says.
        var message: String
        /// What computeReplicasForMetric returns, wrapped once more.
        var error: String
    }

    /// computeReplicasForMetrics: each metric's proposal; the highest wins. When every metric
    /// failed, or some did and the rest would scale down, nothing is done and the first failure
    /// becomes the ScalingActive condition.
    func computeReplicasForMetrics(_ hpa: JSON, scale: JSON, status: inout HorizontalPodAutoscalerStatus,
                                   _ context: ControllerContext, now: Date) -> MetricsResult {
        let selectorText = scale[path: "status", "selector"]?.stringValue ?? ""
        if selectorText.isEmpty {
            context.events.record(hpa, type: .warning, reason: "SelectorRequired", message: "selector is required", component: Self.component)
            status.setCondition("ScalingActive", false, "InvalidSelector", "the HPA target's scale is missing a selector")
            return MetricsResult(replicas: -1, metric: "", statuses: nil, error: "selector is required")
        }
        let selector: LabelSelectorQuery
        do { selector = try LabelSelectorQuery(parsing: selectorText) } catch {
            let message = "couldn't convert selector into a corresponding internal selector object: \(error.message)"
            context.events.record(hpa, type: .warning, reason: "InvalidSelector", message: message, component: Self.component)
            status.setCondition("ScalingActive", false, "InvalidSelector", message)
            return MetricsResult(replicas: -1, metric: "", statuses: nil, error: message)
        }
        let namespace = hpa.meta.namespace
        let pods = context.informer(Self.pods).list(namespace: namespace).filter { selector.matches($0.meta.labels) }
        if let others = ambiguity(hpa, selector: selector, pods: pods) {
            let message = "pods by selector \(selectorText) are controlled by multiple HPAs: [\(others.joined(separator: " "))]"
            context.events.record(hpa, type: .warning, reason: "AmbiguousSelector", message: message, component: Self.component)
            status.setCondition("ScalingActive", false, "AmbiguousSelector", message)
            return MetricsResult(replicas: -1, metric: "", statuses: nil, error: message)
        }
        let specReplicas = Int(scale[path: "spec", "replicas"]?.intValue ?? 0)
        let specs = hpa[path: "spec", "metrics"]?.arrayValue ?? []
        var statuses: [JSON] = Array(repeating: ["type": ""], count: specs.count)
        var replicas = 0, metric = ""
        var invalid = 0
        var firstFailure: MetricFailure?
        for (i, spec) in specs.enumerated() {
            do {
                let (proposal, name, metricStatus) = try computeReplicas(for: spec, current: specReplicas, pods: pods,
                                                                         namespace: namespace, context, now: now)
                statuses[i] = metricStatus
                if replicas == 0 || proposal > replicas { (replicas, metric) = (proposal, name) }
            } catch {
                context.events.record(hpa, type: .warning, reason: error.reason, message: error.message, component: Self.component)
                if invalid == 0 { firstFailure = error }
                invalid += 1
            }
        }
        var combined: String?
        if let firstFailure {
            combined = "invalid metrics (\(invalid) invalid out of \(specs.count)), first error is: \(firstFailure.error)"
        }
        if invalid >= specs.count || (invalid > 0 && replicas < specReplicas) {
            if let firstFailure {
                status.setCondition("ScalingActive", false, firstFailure.reason, "the HPA was unable to compute the replica count: \(firstFailure.message)")
            }
            return MetricsResult(replicas: -1, metric: "", statuses: statuses, error: combined ?? "no metrics to scale on")
        }
        status.setCondition("ScalingActive", true, "ValidMetricFound", "the HPA was able to successfully calculate a replica count from \(metric)")
        return MetricsResult(replicas: replicas, metric: metric, statuses: statuses, error: combined)
    }

    /// computeReplicasForMetric for one metric spec: the proposal, the metric's name as upstream
    /// words it, and its MetricStatus.
    func computeReplicas(for spec: JSON, current: Int, pods: [JSON], namespace: String, _ context: ControllerContext,
                         now: Date) throws(MetricFailure) -> (Int, String, JSON) {
        let type = spec["type"]?.stringValue ?? ""
        switch type {
        case "Resource", "ContainerResource":
            let source = spec[type == "Resource" ? "resource" : "containerResource"] ?? [:]
            let resource = source["name"]?.stringValue ?? ""
            let container = type == "Resource" ? nil : source["container"]?.stringValue
            let reason = type == "Resource" ? "FailedGetResourceMetric" : "FailedGetContainerResourceMetric"
            let target = source["target"] ?? [:]
            do {
                let (proposal, name, current) = try resourceProposal(target: target, resource: resource, container: container,
                                                                     current: current, pods: pods, namespace: namespace, context, now: now)
                var metricStatus: JSONObject = ["name": .string(resource), "current": current]
                if let container { metricStatus["container"] = .string(container) }
                return (proposal, name, ["type": .string(type), type == "Resource" ? "resource" : "containerResource": .object(metricStatus)])
            } catch {
                let wrapped = type == "Resource" ? "failed to get \(resource) resource metric value: \(error.description)"
                    : "failed to get \(container ?? "") container metric value: \(error.description)"
                throw MetricFailure(reason: reason, message: error.description, error: wrapped)
            }
        case "Pods", "Object", "External":
            // Kubelite serves no custom or external metrics API; upstream's clients fail the same way
            // on a cluster without an adapter.
            let api = type == "External" ? "external.metrics.k8s.io" : "custom.metrics.k8s.io"
            let metricName = spec[path: type.lowercased(), "metric", "name"]?.stringValue ?? ""
            let message = "unable to get metric \(metricName): no \(type == "External" ? "external" : "custom") metrics API (\(api)) registered"
            throw MetricFailure(reason: "FailedGet\(type)Metric", message: message,
                                error: "failed to get \(type.lowercased()) metric value: \(message)")
        default:
            let message = "unknown metric source type \"\(type)\""
            throw MetricFailure(reason: "InvalidMetricSourceType", message: message, error: message)
        }
    }

    struct ProposalFailure: Error, CustomStringConvertible { var description: String }

    /// computeStatusForResourceMetricGeneric: an AverageValue target or an Utilization one.
    func resourceProposal(target: JSON, resource: String, container: String?, current: Int, pods: [JSON], namespace: String,
                          _ context: ControllerContext, now: Date) throws(ProposalFailure) -> (Int, String, JSON) {
        let metrics: [String: PodMetric]
        do {
            metrics = try podMetrics(resource: resource, container: container, pods: pods, namespace: namespace, context)
        } catch {
            let what = target["averageValue"].map { $0 == .null } == false ? "usage" : "utilization"
            throw ProposalFailure(description: "failed to get \(resource) \(what): unable to get metrics for resource \(resource): \(error.description)")
        }
        let scoped = container.map { c in pods.map { Self.onlyContainer(c, of: $0) } } ?? pods
        if let average = target["averageValue"], average != .null {
            let milli = (try? Quantity(json: average))?.milliValue ?? 0
            do {
                let p = try calculator.averageValueReplicas(current: current, targetAverage: milli, resource: resource, pods: scoped,
                                                            metrics: metrics, now: now)
                return (p.replicas, "\(resource) resource", ["averageValue": .string(Quantity(milliValue: p.rawAverage).canonical)])
            } catch {
                throw ProposalFailure(description: "failed to get \(resource) usage: \(error.description)")
            }
        }
        guard let utilization = target["averageUtilization"]?.intValue else {
            throw ProposalFailure(description: "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set")
        }
        do {
            let p = try calculator.resourceReplicas(current: current, targetUtilization: Int(utilization), resource: resource,
                                                    pods: scoped, metrics: metrics, now: now)
            let name = container == nil ? "\(resource) resource utilization (percentage of request)"
                : "\(resource) container resource utilization (percentage of request)"
            return (p.replicas, name, ["averageUtilization": .int(Int64(p.utilization ?? 0)),
                                       "averageValue": .string(Quantity(milliValue: p.rawAverage).canonical)])
        } catch {
            throw ProposalFailure(description: "failed to get \(resource) utilization: \(error.description)")
        }
    }

    struct MetricsFailure: Error, CustomStringConvertible { var description: String }

    /// The resource metrics client's GetResourceMetric: each pod's usage summed over its containers
    /// (or the one named), in milli-units; a pod lacking the container is left out.
    func podMetrics(resource: String, container: String?, pods: [JSON], namespace: String,
                    _ context: ControllerContext) throws(MetricsFailure) -> [String: PodMetric] {
        let usage: [String: PodUsage]
        do { usage = try context.resourceMetrics.podUsage(namespace: namespace, pods: pods) } catch {
            throw MetricsFailure(description: "unable to fetch metrics from resource metrics API: \(error.message)")
        }
        guard !usage.isEmpty else { throw MetricsFailure(description: "no metrics returned from resource metrics API") }
        var metrics: [String: PodMetric] = [:]
        for (pod, u) in usage {
            let containers = container.map { c in u.containers.filter { $0.name == c } } ?? u.containers
            guard !containers.isEmpty else { continue }
            let value = containers.reduce(Int64(0)) { sum, c in
                sum + (resource == "cpu" ? Int64((Double(c.usage.cpuNanocores) / 1e6).rounded(.up))
                                         : resource == "memory" ? Int64(c.usage.memoryBytes) * 1000 : 0)
            }
            metrics[pod] = PodMetric(timestamp: u.timestamp, window: u.window.seconds, value: value)
        }
        return metrics
    }

    /// validateAndParseSelector's check: the HPAs (this one included, sorted) whose last selector
    /// selects one of `pods`, when there is more than this one.
    func ambiguity(_ hpa: JSON, selector: LabelSelectorQuery, pods: [JSON]) -> [String]? {
        let key = hpa.meta.key, prefix = "\(hpa.meta.namespace)/"
        let all = selectors.withLock { all -> [String: LabelSelectorQuery] in
            all[key] = selector
            return all
        }
        let controlling = all.filter { other in
            other.key.hasPrefix(prefix) && pods.contains { other.value.matches($0.meta.labels) }
        }.keys.sorted()
        return controlling.count > 1 ? controlling : nil
    }

    /// The pod with only `container` among its containers (ContainerResource requests).
    static func onlyContainer(_ container: String, of pod: JSON) -> JSON {
        var copy = pod
        let kept = (pod[path: "spec", "containers"]?.arrayValue ?? []).filter { $0["name"]?.stringValue == container }
        copy[path: "spec", "containers"] = .array(kept)
        copy[path: "spec", "initContainers"] = .array((pod[path: "spec", "initContainers"]?.arrayValue ?? []).filter {
            $0["name"]?.stringValue == container
        })
        return copy
    }
}
