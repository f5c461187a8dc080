import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

/// Pods, Services and Nodes for the endpoint controllers' tests; pods are made Running and Ready
/// through the status subresource, as the simulated node would.
extension ControllerHarness {
    static func startEndpoints(apiServer: APIServerEndpoint? = nil) throws -> ControllerHarness {
        let h = try ControllerHarness()
        try h.create("nodes", ["apiVersion": "v1", "kind": "Node",
                               "metadata": ["name": "node-1", "labels": ["topology.kubernetes.io/zone": "zone-a"]]], namespace: nil)
        ControllerManager.start([EndpointsController(apiServer: apiServer), EndpointSliceController(), GarbageCollector()], context: h.context)
        return h
    }

    static func pod(_ name: String, labels: JSON = ["app": "web"], ports: JSON = [["name": "http", "containerPort": 8080]],
                    hostname: String? = nil, subdomain: String? = nil, node: String = "node-1") -> JSON {
        var spec: JSONObject = ["containers": [["name": "c", "image": "nginx", "ports": ports]], "nodeName": .string(node)]
        if let hostname { spec["hostname"] = .string(hostname) }
        if let subdomain { spec["subdomain"] = .string(subdomain) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "labels": labels], "spec": .object(spec)]
    }

    static func service(_ name: String, selector: JSON? = ["app": "web"], clusterIP: String? = nil,
                        ports: JSON = [["name": "web", "port": 80, "targetPort": "http"]], extra: JSONObject = [:]) -> JSON {
        var spec: JSONObject = ["ports": ports]
        if let selector { spec["selector"] = selector }
        if let clusterIP { spec["clusterIP"] = .string(clusterIP) }
        for (k, v) in extra { spec[k] = v }
        return ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "labels": ["team": "a"]], "spec": .object(spec)]
    }

    /// Gives the pod an address (or none) and a Ready condition, through pods/status.
    func setPodStatus(_ name: String, ip: String?, ready: Bool, transition: String = "2024-01-01T00:00:00Z") throws {
        var pod = get("pods", name)!
        var status: JSONObject = ["phase": "Running", "hostIP": "10.0.0.1"]
        if let ip {
            status["podIP"] = .string(ip)
            status["podIPs"] = [["ip": .string(ip)]]
        }
        status["conditions"] = [["type": "Ready", "status": ready ? "True" : "False", "lastTransitionTime": .string(transition)]]
        pod["status"] = .object(status)
        _ = try StatusStore(store: store("pods")).update(namespace: "default", name: name, body: RequestBody(value: pod), options: WriteOptions())
    }

    func endpoints(_ name: String) -> JSON? { get("endpoints", name) }

    /// The managed EndpointSlices of a Service.
    func slices(_ service: String) -> [JSON] {
        store("endpointslices", group: "discovery.k8s.io").list(namespace: "default").items.map(\.object).filter {
            $0[path: "metadata", "labels", "kubernetes.io/service-name"]?.stringValue == service
        }
    }

    /// Every endpoint of a Service's slices, by pod name.
    func sliceEndpoints(_ service: String) -> [String: JSON] {
        var byPod: [String: JSON] = [:]
        for slice in slices(service) {
            for endpoint in slice["endpoints"]?.arrayValue ?? [] {
                byPod[endpoint[path: "targetRef", "name"]?.stringValue ?? ""] = endpoint
            }
        }
        return byPod
    }

    func addressIPs(_ endpoints: JSON?, _ key: String = "addresses") -> [String] {
        (endpoints?["subsets"]?.arrayValue ?? []).flatMap { ($0[key]?.arrayValue ?? []).compactMap { $0["ip"]?.stringValue } }.sorted()
    }
}
