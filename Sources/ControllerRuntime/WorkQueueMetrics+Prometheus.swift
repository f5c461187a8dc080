import Prometheus
import Synchronization

extension Counter: WorkQueueCounter {}
extension Gauge: WorkQueueGauge {}
extension Histogram: WorkQueueHistogram where Value == Double {}

/// The work queue metrics kube-controller-manager exports (k8s.io/component-base/metrics/prometheus/
/// workqueue): the `workqueue_*` families labelled by queue name, with upstream's help texts and
/// buckets, in the registry `/metrics` serves.
public final class PrometheusWorkQueueMetrics: WorkQueueMetricsProvider {
    private let registry: PrometheusCollectorRegistry
    private let readers = Mutex<[(name: String, read: @Sendable () -> WorkQueueUnfinishedWork?)]>([])

    /// upstream's ExponentialBuckets(10e-7, 10, 10), 1 µs to 1000 s, multiplied out as Go does
    /// (so the bounds print as kube-controller-manager's: 9.999999999999999e-06, not 1e-05).
    public static let durationBuckets: [Double] = {
        var bound = 10e-7, buckets: [Double] = []
        for _ in 0..<10 { buckets.append(bound); bound *= 10 }
        return buckets
    }()

    public init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    private func descriptor(_ name: String, _ unit: String?, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: "workqueue_" + name, unitName: unit, helpText: "[BETA] " + help)
    }

    private func labels(_ name: String) -> [(String, String)] { [("name", name)] }

    public func depth(queue name: String) -> any WorkQueueGauge {
        registry.makeGauge(descriptor: descriptor("depth", nil, "Current depth of workqueue"), labels: labels(name))
    }

    public func adds(queue name: String) -> any WorkQueueCounter {
        registry.makeCounter(descriptor: descriptor("adds", "total", "Total number of adds handled by workqueue"), labels: labels(name))
    }

    public func queueDuration(queue name: String) -> any WorkQueueHistogram {
        registry.makeValueHistogram(descriptor: descriptor("queue_duration", "seconds",
                                                           "How long in seconds an item stays in workqueue before being requested."),
                                    labels: labels(name), buckets: Self.durationBuckets)
    }

    public func workDuration(queue name: String) -> any WorkQueueHistogram {
        registry.makeValueHistogram(descriptor: descriptor("work_duration", "seconds", "How long in seconds processing an item from workqueue takes."),
                                    labels: labels(name), buckets: Self.durationBuckets)
    }

    public func retries(queue name: String) -> any WorkQueueCounter {
        registry.makeCounter(descriptor: descriptor("retries", "total", "Total number of retries handled by workqueue"), labels: labels(name))
    }

    public func unfinishedWork(queue name: String, read: @escaping @Sendable () -> WorkQueueUnfinishedWork?) {
        readers.withLock { $0.append((name, read)) }
        // The gauges exist from the queue's start, as upstream's do.
        _ = gauges(name)
    }

    private func gauges(_ name: String) -> (unfinished: Gauge, longest: Gauge) {
        (registry.makeGauge(descriptor: descriptor("unfinished_work", "seconds",
                                                   "How many seconds of work has done that is in progress and hasn't been observed by work_duration. "
                                                       + "Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases."),
                            labels: labels(name)),
         registry.makeGauge(descriptor: descriptor("longest_running_processor", "seconds",
                                                   "How many seconds has the longest running processor for workqueue been running."),
                            labels: labels(name)))
    }

    /// Sets the work-in-progress gauges from the queues alive now (call before the metrics are
    /// written). Queues of one name (a controller's queue in successive leadership terms) add up.
    public func updateUnfinishedWork() {
        var byName: [String: WorkQueueUnfinishedWork] = [:]
        readers.withLock { readers in
            var alive: [(name: String, read: @Sendable () -> WorkQueueUnfinishedWork?)] = []
            for reader in readers {
                // A queue that is gone leaves its gauges at zero unless another of its name runs.
                guard let work = reader.read() else {
                    if byName[reader.name] == nil { byName[reader.name] = WorkQueueUnfinishedWork() }
                    continue
                }
                alive.append(reader)
                var total = byName[reader.name, default: WorkQueueUnfinishedWork()]
                total.seconds += work.seconds
                total.longestRunningProcessorSeconds = max(total.longestRunningProcessorSeconds, work.longestRunningProcessorSeconds)
                byName[reader.name] = total
            }
            readers = alive
        }
        for (name, work) in byName {
            let (unfinished, longest) = gauges(name)
            unfinished.set(to: work.seconds)
            longest.set(to: work.longestRunningProcessorSeconds)
        }
    }
}
