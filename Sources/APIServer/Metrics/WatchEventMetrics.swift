import Prometheus
import Synchronization

/// kube-apiserver's `apiserver_watch_events_total` and `apiserver_watch_events_sizes` (labels group,
/// version, resource): every event line a watch writes, bookmarks and errors included, as
/// upstream's watchEventMetricsRecorder counts each encoded event.
final class WatchEventMetrics: Sendable {
    /// One watch's pair of collectors, looked up once when the watch starts.
    struct Recorder: Sendable {
        let count: Counter
        let size: ValueHistogram

        func record(bytes: Int) {
            count.increment()
            size.record(Double(bytes))
        }
    }

    struct Labels: Hashable {
        var group, version, resource: String
    }

    /// 1 KiB doubling to 128 KiB, upstream's ExponentialBuckets(1024, 2.0, 8).
    static let sizeBuckets: [Double] = (0..<8).map { 1024 * Double(1 << $0) }

    static var total: MetricNameDescriptor { MetricNameDescriptor(metricName: "apiserver_watch_events", unitName: "total", helpText:
        "[BETA] Number of events sent in watch clients") }
    static var sizes: MetricNameDescriptor { MetricNameDescriptor(metricName: "apiserver_watch_events_sizes", helpText:
        "[BETA] Watch event size distribution in bytes") }

    private let registry: PrometheusCollectorRegistry
    private let recorders = Mutex<[Labels: Recorder]>([:])

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func recorder(group: String, version: String, resource: String) -> Recorder {
        let labels = Labels(group: group, version: version, resource: resource)
        return recorders.withLock { recorders in
            if let recorder = recorders[labels] { return recorder }
            let pairs = [("group", group), ("version", version), ("resource", resource)]
            let made = Recorder(count: registry.makeCounter(descriptor: Self.total, labels: pairs),
                                size: registry.makeValueHistogram(descriptor: Self.sizes, labels: pairs, buckets: Self.sizeBuckets))
            recorders[labels] = made
            return made
        }
    }
}
