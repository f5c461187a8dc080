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
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "bytes", helpText: help))
        }
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "total", helpText: help))
        }
        held = gauge("kubelite_decoded_objects", "Estimated memory of the decoded objects kept for reads (five times their JSON).")
        budget = gauge("kubelite_decoded_objects_budget", "The bound on kubelite_decoded_objects_bytes (--decoded-object-cache-bytes).")
        built = counter("kubelite_decoded_objects_built", "Stored objects decoded from their JSON because no decoded form was kept.")
        evicted = counter("kubelite_decoded_objects_evicted", "Decoded objects dropped to stay within the budget.")
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
