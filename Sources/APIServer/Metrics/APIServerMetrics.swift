import APIMachinery
import Foundation
import HTTPServer
import Prometheus
import Registry
import Synchronization

/// `/metrics` as kube-apiserver serves it (Prometheus text format 0.0.4): the request metrics,
/// in-flight requests by kind, stored objects per resource and the process collector. Gauges
/// that mirror state (in-flight, stored objects, process) are read when scraped.
final class APIServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let requests: RequestMetrics
    let watchEvents: WatchEventMetrics
    private let process: ProcessMetrics
    private let decodedObjects: DecodedObjectMetrics
    private let readOnlyInFlight: Gauge
    private let mutatingInFlight: Gauge
    /// Run at each scrape before the metrics are written: other components' gauges that mirror state.
    private let scrapeHooks = Mutex<[@Sendable () -> Void]>([])

    static var inFlight: MetricNameDescriptor { MetricNameDescriptor(metricName: "apiserver_current_inflight", unitName: "requests", helpText:
        "[STABLE] Maximal number of currently used inflight request limit of this apiserver per request kind in last second.") }
    static var storageObjects: MetricNameDescriptor { MetricNameDescriptor(metricName: "apiserver_storage", unitName: "objects", helpText:
        "[STABLE] Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.") }

    init() {
        requests = RequestMetrics(registry: registry)
        watchEvents = WatchEventMetrics(registry: registry)
        process = ProcessMetrics(registry: registry)
        decodedObjects = DecodedObjectMetrics(registry: registry)
        readOnlyInFlight = registry.makeGauge(descriptor: Self.inFlight, labels: [("request_kind", "readOnly")])
        mutatingInFlight = registry.makeGauge(descriptor: Self.inFlight, labels: [("request_kind", "mutating")])
    }

    func beforeScrape(_ hook: @escaping @Sendable () -> Void) { scrapeHooks.withLock { $0.append(hook) } }

    /// The scrape: state read now, then every metric in the text format.
    func scrape(inFlight: (reads: Int, mutating: Int), registry objects: Registry) -> HTTPResponse {
        readOnlyInFlight.set(to: Double(inFlight.reads))
        mutatingInFlight.set(to: Double(inFlight.mutating))
        for resource in objects.resources {
            let groupResource = resource.groupResource
            guard let store = objects.store(groupResource) else { continue }
            let count = objects.storage.list(resource: store.storageResource, namespace: nil).items.count
            registry.makeGauge(descriptor: Self.storageObjects, labels: [("resource", groupResource.description)]).set(to: Double(count))
        }
        process.update()
        decodedObjects.update()
        for hook in scrapeHooks.withLock({ $0 }) { hook() }
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                            body: registry.emitToBuffer())
    }
}
