import Prometheus
import Storage
import Synchronization

/// The decoded object cache as /metrics shows it (Kubelite's own names: kube-apiserver keeps decoded
/// objects in its watch cache without a bound, so it has nothing to compare): the estimated memory
/// held against the budget, and how often trees are built from bytes and evicted. A build rate close
/// to the read rate says the budget is smaller than the working set.
final class DecodedObjectMetrics: Sendable {
    private let held: Gauge, budget: Gauge, built: Counter, evicted: Counter
    private let counted = Mutex((built: 0, evicted: 0))
    private let cache: DecodedTreeCache

    init(registry: PrometheusCollectorRegistry, cache: DecodedTreeCache = .shared) {
        self.cache = cache
        held = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "kubelite_decoded_objects", unitName: "bytes",
            helpText: "Estimated memory of the decoded objects kept for reads (five times their JSON)."))
        budget = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "kubelite_decoded_objects_budget", unitName: "bytes",
            helpText: "The bound on kubelite_decoded_objects_bytes (--decoded-object-cache-bytes)."))
        built = registry.makeCounter(descriptor: MetricNameDescriptor(
            metricName: "kubelite_decoded_objects_built", unitName: "total",
            helpText: "Stored objects decoded from their JSON because no decoded form was kept."))
        evicted = registry.makeCounter(descriptor: MetricNameDescriptor(
            metricName: "kubelite_decoded_objects_evicted", unitName: "total",
            helpText: "Decoded objects dropped to stay within the budget."))
    }

    func update() {
        held.set(to: Double(cache.heldBytes))
        budget.set(to: Double(cache.budgetBytes))
        let now = (built: cache.builtCount, evicted: cache.evictedCount)
        // The counters move by what the cache's own counts moved since the last scrape.
        let delta = counted.withLock { last in
            defer { last = (max(last.built, now.built), max(last.evicted, now.evicted)) }
            return (built: now.built - last.built, evicted: now.evicted - last.evicted)
        }
        if delta.built > 0 { built.increment(by: Int64(delta.built)) }
        if delta.evicted > 0 { evicted.increment(by: Int64(delta.evicted)) }
    }
}
