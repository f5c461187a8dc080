import HTTPServer
import Prometheus
import XCTest
@testable import APIServer

final class RequestMetricsTests: XCTestCase {
    func labels(_ method: String, _ path: String, query: [(name: String, value: String)] = [], watch: Bool = false,
                headers: [(name: String, value: String)] = []) -> RequestMetrics.Labels {
        RequestMetrics.Labels(request: HTTPRequest(method: method, path: path, query: query, headers: headers), isWatch: watch)
    }

    func testVerbsAndScopesAreUpstreams() {
        let get = labels("GET", "/api/v1/namespaces/ns/pods/p")
        XCTAssertEqual([get.verb, get.scope, get.group, get.version, get.resource], ["GET", "resource", "", "v1", "pods"])
        XCTAssertEqual(labels("GET", "/api/v1/namespaces/ns/pods").verb, "LIST")
        XCTAssertEqual(labels("GET", "/api/v1/namespaces/ns/pods").scope, "namespace")
        XCTAssertEqual(labels("GET", "/api/v1/pods").scope, "cluster")
        // A create is scoped to the resource it makes, as upstream's CleanScope says.
        XCTAssertEqual(labels("POST", "/apis/apps/v1/namespaces/ns/deployments").scope, "resource")
        XCTAssertEqual(labels("POST", "/apis/apps/v1/namespaces/ns/deployments").group, "apps")
        XCTAssertEqual(labels("GET", "/api/v1/namespaces/ns/pods", watch: true).verb, "WATCH")
        XCTAssertEqual(labels("PATCH", "/api/v1/namespaces/ns/pods/p", headers: [("Content-Type", "application/apply-patch+yaml")]).verb, "APPLY")
        let exec = labels("POST", "/api/v1/namespaces/ns/pods/p/exec")
        XCTAssertEqual([exec.verb, exec.subresource], ["CONNECT", "exec"])
        XCTAssertEqual(labels("POST", "/api/v1/namespaces/ns/configmaps", query: [("dryRun", "All")]).dryRun, "All")
        let healthz = labels("GET", "/healthz")
        XCTAssertEqual([healthz.verb, healthz.resource, healthz.scope], ["GET", "", ""])
    }

    func testARequestIsCountedByCodeAndObservedOnce() {
        let registry = PrometheusCollectorRegistry()
        let metrics = RequestMetrics(registry: registry)
        let get = labels("GET", "/api/v1/namespaces/ns/pods/p")
        metrics.record(get, code: 404, latency: .milliseconds(3))
        metrics.record(get, code: 404, latency: .milliseconds(30))
        metrics.record(get, code: 200, latency: .milliseconds(1))
        let text = registry.emitToString()
        XCTAssertTrue(text.contains(#"apiserver_request_total{verb="GET",dry_run="",group="",version="v1",resource="pods",subresource="",scope="resource",component="apiserver",code="404"} 2"#), text)
        XCTAssertTrue(text.contains(#"apiserver_request_duration_seconds_bucket{verb="GET",dry_run="",group="",version="v1",resource="pods",subresource="",scope="resource",component="apiserver",le="0.005"} 2"#), text)
        XCTAssertTrue(text.contains(#"apiserver_request_duration_seconds_count{verb="GET",dry_run="",group="",version="v1",resource="pods",subresource="",scope="resource",component="apiserver"} 3"#), text)
    }

    func testWatchEventsAreCountedAndSizedPerResource() {
        let registry = PrometheusCollectorRegistry()
        let metrics = WatchEventMetrics(registry: registry)
        let pods = metrics.recorder(group: "", version: "v1", resource: "pods")
        pods.record(bytes: 900)
        metrics.recorder(group: "", version: "v1", resource: "pods").record(bytes: 5000)
        metrics.recorder(group: "apps", version: "v1", resource: "deployments").record(bytes: 200_000)
        let text = registry.emitToString()
        XCTAssertTrue(text.contains(#"apiserver_watch_events_total{group="",version="v1",resource="pods"} 2"#), text)
        XCTAssertTrue(text.contains(#"apiserver_watch_events_sizes_bucket{group="",version="v1",resource="pods",le="1024.0"} 1"#), text)
        XCTAssertTrue(text.contains(#"apiserver_watch_events_sizes_bucket{group="",version="v1",resource="pods",le="8192.0"} 2"#), text)
        XCTAssertTrue(text.contains(#"apiserver_watch_events_sizes_bucket{group="apps",version="v1",resource="deployments",le="131072.0"} 0"#), text)
        XCTAssertTrue(text.contains(#"apiserver_watch_events_sizes_count{group="apps",version="v1",resource="deployments"} 1"#), text)
        XCTAssertTrue(text.contains("# HELP apiserver_watch_events_total [BETA] Number of events sent in watch clients"), text)
    }
}
