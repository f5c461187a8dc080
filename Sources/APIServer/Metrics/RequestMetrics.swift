import HTTPServer
import Prometheus
import Synchronization

/// kube-apiserver's request metrics (k8s.io/apiserver/pkg/endpoints/metrics): every request ends in
/// `apiserver_request_total` and `apiserver_request_duration_seconds` with upstream's labels, a
/// watch or another long-running request when it ends, as upstream's MonitorRequest runs after its
/// handler returns; while it runs it counts in `apiserver_longrunning_requests`.
final class RequestMetrics: Sendable {
    /// The labels upstream gives a request (metrics.go's cleanVerb, CleanScope, cleanDryRun).
    struct Labels: Hashable, Sendable {
        var verb, dryRun, group, version, resource, subresource, scope: String

        init(request: HTTPRequest, isWatch: Bool) {
            verb = RequestLog.verb(of: request, isWatch: isWatch)
            dryRun = request.queryValue("dryRun") == "All" ? "All" : ""
            guard let info = RequestInfo(method: request.method, path: request.path, isWatch: isWatch), info.isResourceRequest else {
                (group, version, resource, subresource, scope) = ("", "", "", "", "")
                return
            }
            (group, version, resource, subresource) = (info.group, info.version, info.resource, info.subresource)
            // Connect subresources are reported as CONNECT, as upstream's installer registers them.
            if ["exec", "attach", "portforward", "proxy"].contains(info.subresource) { verb = "CONNECT" }
            scope = !info.name.isEmpty || info.verb == "create" ? "resource" : info.namespace != nil ? "namespace" : "cluster"
        }

        /// Upstream's label order for the histogram (the counter adds `code`).
        var pairs: [(String, String)] {
            [("verb", verb), ("dry_run", dryRun), ("group", group), ("version", version), ("resource", resource),
             ("subresource", subresource), ("scope", scope), ("component", "apiserver")]
        }
    }

    /// upstream's requestLatencies buckets.
    static let durationBuckets: [Double] = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8,
                                            10, 15, 20, 30, 45, 60]

    static var total: MetricNameDescriptor { MetricNameDescriptor(metricName: "apiserver_request", unitName: "total", helpText:
        "[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.") }
    static var duration: MetricNameDescriptor { MetricNameDescriptor(metricName: "apiserver_request_duration", unitName: "seconds", helpText:
        "[STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.") }
    static var longRunning: MetricNameDescriptor { MetricNameDescriptor(metricName: "apiserver_longrunning", unitName: "requests", helpText:
        "[STABLE] Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.") }

    private let registry: PrometheusCollectorRegistry
    /// The collectors per label set: the registry checks and copies names and labels on each
    /// lookup, which the request path should not pay.
    private let counters = Mutex<[CounterKey: Counter]>([:])
    private let histograms = Mutex<[Labels: ValueHistogram]>([:])
    private let gauges = Mutex<[Labels: Gauge]>([:])

    private struct CounterKey: Hashable { var labels: Labels; var code: Int }

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func record(_ labels: Labels, code: Int, latency: Duration) {
        let counter = counters.withLock { counters in
            let key = CounterKey(labels: labels, code: code)
            if let counter = counters[key] { return counter }
            let made = registry.makeCounter(descriptor: Self.total, labels: labels.pairs + [("code", String(code))])
            counters[key] = made
            return made
        }
        counter.increment()
        let histogram = histograms.withLock { histograms in
            if let histogram = histograms[labels] { return histogram }
            let made = registry.makeValueHistogram(descriptor: Self.duration, labels: labels.pairs, buckets: Self.durationBuckets)
            histograms[labels] = made
            return made
        }
        let (seconds, attoseconds) = latency.components
        histogram.record(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// A long-running request began (+1) or ended (-1).
    func longRunning(_ labels: Labels, _ delta: Double) {
        let gauge = gauges.withLock { gauges in
            if let gauge = gauges[labels] { return gauge }
            let pairs = labels.pairs.filter { $0.0 != "dry_run" }
            let made = registry.makeGauge(descriptor: Self.longRunning, labels: pairs)
            gauges[labels] = made
            return made
        }
        gauge.increment(by: delta)
    }
}
