import APIMachinery
@testable import APIServer
import Foundation
import Registry
import Storage
import XCTest

/// A metrics source with fixed readings, as the node would have after two scrapes.
final class FixedMetricsSource: ResourceMetricsSource, @unchecked Sendable {
    var pods: [String: PodUsage] = [:]
    var nodes: [String: NodeUsage] = [:]
    func podUsage(namespace: String, name: String) -> PodUsage? { pods["\(namespace)/\(name)"] }
    func nodeUsage(name: String) -> NodeUsage? { nodes[name] }
}

/// metrics.k8s.io/v1beta1 as metrics-server serves it: discovery once connected, PodMetrics and
/// NodeMetrics by name and by list with selectors, its NotFound messages, no watch, Table rows.
final class ResourceMetricsAPITests: XCTestCase {
    var api: InProcessAPI!
    let source = FixedMetricsSource()
    let at = Date(timeIntervalSince1970: 1_700_000_000)

    override func setUpWithError() throws {
        api = try InProcessAPI()
        for (name, app) in [("web-1", "web"), ("web-2", "web"), ("db-1", "db"), ("fresh", "web")] {
            let pod: JSON = ["apiVersion": "v1", "kind": "Pod",
                             "metadata": ["name": .string(name), "namespace": "default", "labels": ["app": .string(app)]],
                             "spec": ["containers": [["name": "main", "image": "busybox"], ["name": "side", "image": "busybox"]]]]
            XCTAssertEqual(api.call("POST", "/api/v1/namespaces/default/pods", body: pod).status, 201)
        }
        XCTAssertEqual(api.call("POST", "/api/v1/nodes", body: ["apiVersion": "v1", "kind": "Node",
                                                                "metadata": ["name": "kubelite-node", "labels": ["role": "worker"]]]).status, 201)
        XCTAssertEqual(api.call("POST", "/api/v1/nodes", body: ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "new-node"]]).status, 201)
        for (name, cpu) in [("web-1", UInt64(250_000_000)), ("web-2", 12_345), ("db-1", 1_000_000_000)] {
            source.pods["default/\(name)"] = PodUsage(containers: [
                ("main", ResourceUsage(cpuNanocores: cpu, memoryBytes: 4096 * 1024)),
                ("side", ResourceUsage(cpuNanocores: 0, memoryBytes: 1000)),
            ], timestamp: at, window: .seconds(15))
        }
        source.nodes["kubelite-node"] = NodeUsage(usage: ResourceUsage(cpuNanocores: 1_262_345_000, memoryBytes: 3 * 1024 * 1024 * 1024),
                                                  timestamp: at, window: .milliseconds(15_002))
    }

    func testNotServedUntilTheNodeConnectsIt() {
        XCTAssertEqual(api.call("GET", "/apis/metrics.k8s.io/v1beta1").status, 404)
        XCTAssertEqual(api.call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods").status, 404)
        api.server.registry.connectMetrics(source)
        XCTAssertEqual(api.call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods").status, 200)
    }

    func testDiscoveryLegacyAndAggregated() {
        api.server.registry.connectMetrics(source)
        let list = api.call("GET", "/apis/metrics.k8s.io/v1beta1").json
        XCTAssertEqual(list["groupVersion"], "metrics.k8s.io/v1beta1")
        let resources = list["resources"]?.arrayValue ?? []
        XCTAssertEqual(resources.map { $0["name"]?.stringValue }, ["nodes", "pods"])
        XCTAssertEqual(resources.map { $0["kind"]?.stringValue }, ["NodeMetrics", "PodMetrics"])
        XCTAssertEqual(resources.map { $0["namespaced"]?.boolValue }, [false, true])
        XCTAssertEqual(resources.first?["verbs"], ["get", "list"])
        let group = api.call("GET", "/apis/metrics.k8s.io").json
        XCTAssertEqual(group[path: "preferredVersion", "groupVersion"], "metrics.k8s.io/v1beta1")
        let aggregated = api.call("GET", "/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList").json
        let metrics = aggregated["items"]?.arrayValue?.first { $0[path: "metadata", "name"] == "metrics.k8s.io" }
        XCTAssertEqual(metrics?[path: "versions"]?.arrayValue?.first?["version"], "v1beta1")
        let scopes = metrics?[path: "versions"]?.arrayValue?.first?["resources"]?.arrayValue?.map { $0["scope"]?.stringValue }
        XCTAssertEqual(scopes, ["Cluster", "Namespaced"])
    }

    func testPodMetricsByName() {
        api.server.registry.connectMetrics(source)
        let r = api.call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.json["kind"], "PodMetrics")
        XCTAssertEqual(r.json["apiVersion"], "metrics.k8s.io/v1beta1")
        XCTAssertEqual(r.json[path: "metadata", "name"], "web-1")
        XCTAssertEqual(r.json[path: "metadata", "labels", "app"], "web")
        XCTAssertEqual(r.json["timestamp"], "2023-11-14T22:13:20Z")
        XCTAssertEqual(r.json["window"], "15s")
        let containers = r.json["containers"]?.arrayValue ?? []
        XCTAssertEqual(containers.map { $0["name"]?.stringValue }, ["main", "side"])
        // metrics-server's quantities: nanocores in canonical DecimalSI, bytes in BinarySI.
        XCTAssertEqual(containers.first?["usage"], ["cpu": "250m", "memory": "4Mi"])
        XCTAssertEqual(containers.last?["usage"], ["cpu": "0", "memory": "1k"])
        XCTAssertEqual(api.call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-2").json[path: "containers"]?
            .arrayValue?.first?[path: "usage", "cpu"], "12345n")
    }

    func testNotFoundAsMetricsServerSaysIt() {
        api.server.registry.connectMetrics(source)
        let missing = api.call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.json["reason"], "NotFound")
        XCTAssertEqual(missing.json["message"], "pods \"nope\" not found")
        let unmeasured = api.call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/fresh")
        XCTAssertEqual(unmeasured.status, 404)
        XCTAssertEqual(unmeasured.json["message"], "podmetrics.metrics.k8s.io \"default/fresh\" not found")
        XCTAssertEqual(unmeasured.json[path: "details", "group"], "metrics.k8s.io")
        XCTAssertEqual(unmeasured.json[path: "details", "kind"], "podmetrics")
        XCTAssertEqual(api.call("GET", "/apis/metrics.k8s.io/v1beta1/nodes/ghost").json["message"], "node \"ghost\" not found")
        XCTAssertEqual(api.call("GET", "/apis/metrics.k8s.io/v1beta1/nodes/new-node").json["message"],
                       "nodemetrics.metrics.k8s.io \"new-node\" not found")
    }

    func testListsSelectAndLeaveOutPodsWithoutMetrics() {
        api.server.registry.connectMetrics(source)
        let all = api.call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods").json
        XCTAssertEqual(all["kind"], "PodMetricsList")
        XCTAssertEqual(all["items"]?.arrayValue?.map { $0[path: "metadata", "name"]?.stringValue }, ["db-1", "web-1", "web-2"])
        let web = api.call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb").json
        XCTAssertEqual(web["items"]?.arrayValue?.map { $0[path: "metadata", "name"]?.stringValue }, ["web-1", "web-2"])
        let everywhere = api.call("GET", "/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.name%3Ddb-1").json
        XCTAssertEqual(everywhere["items"]?.arrayValue?.count, 1)
        XCTAssertEqual(api.call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/other/pods").json["items"], [])
        XCTAssertEqual(api.call("GET", "/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=spec.nodeName%3Dx").status, 400)
        let nodes = api.call("GET", "/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=role%3Dworker").json
        XCTAssertEqual(nodes["kind"], "NodeMetricsList")
        XCTAssertEqual(nodes["items"]?.arrayValue?.first?["usage"], ["cpu": "1262345u", "memory": "3Gi"])
        XCTAssertEqual(nodes["items"]?.arrayValue?.first?["window"], "15.002s")
    }

    func testOnlyGetAndList() {
        api.server.registry.connectMetrics(source)
        let watch = api.call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?watch=true")
        XCTAssertEqual(watch.status, 405)
        XCTAssertEqual(watch.json["message"], "watch is not supported on resources of kind \"pods.metrics.k8s.io\"")
        XCTAssertEqual(api.call("GET", "/apis/metrics.k8s.io/v1beta1/watch/namespaces/default/pods").status, 404)
        XCTAssertEqual(api.call("DELETE", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1").status, 405)
        XCTAssertEqual(api.call("POST", "/apis/metrics.k8s.io/v1beta1/nodes", body: [:]).status, 405)
    }

    func testTableRowsSumTheContainers() {
        api.server.registry.connectMetrics(source)
        let table = api.call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods",
                             accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json").json
        XCTAssertEqual(table["kind"], "Table")
        XCTAssertEqual(table["columnDefinitions"]?.arrayValue?.map { $0["name"]?.stringValue }, ["Name", "cpu", "memory", "Window"])
        XCTAssertEqual(table["rows"]?.arrayValue?.first?["cells"], ["db-1", "1", "4195304", "15s"])
    }
}
