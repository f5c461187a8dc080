import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

final class EndpointSliceControllerTests: XCTestCase {
    func testSliceShapeLabelsOwnerAndConditions() throws {
        let h = try ControllerHarness.startEndpoints()
        let service = try h.create("services", ControllerHarness.service("web"))
        try h.create("pods", ControllerHarness.pod("a"))
        try h.create("pods", ControllerHarness.pod("b"))
        try h.create("pods", ControllerHarness.pod("pending"))
        try h.setPodStatus("a", ip: "10.244.0.2", ready: true)
        try h.setPodStatus("b", ip: "10.244.0.3", ready: false)
        XCTAssertTrue(waitUntil("two endpoints") { h.sliceEndpoints("web").count == 2 }, "\(h.slices("web"))")
        let slices = h.slices("web")
        XCTAssertEqual(slices.count, 1)
        let slice = slices[0]
        let name = slice[path: "metadata", "name"]?.stringValue ?? ""
        XCTAssertTrue(name.hasPrefix("web-") && name.count == "web-".count + 5, name)
        XCTAssertEqual(slice[path: "metadata", "generateName"], "web-")
        XCTAssertEqual(slice[path: "metadata", "labels"], [
            "team": "a", "kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        ])
        XCTAssertEqual(slice[path: "metadata", "ownerReferences"], [[
            "apiVersion": "v1", "kind": "Service", "name": "web", "uid": service[path: "metadata", "uid"]!,
            "controller": true, "blockOwnerDeletion": true,
        ]])
        XCTAssertNotNil(slice[path: "metadata", "annotations", "endpoints.kubernetes.io/last-change-trigger-time"])
        XCTAssertEqual(slice["addressType"], "IPv4")
        XCTAssertEqual(slice["ports"], [["name": "web", "protocol": "TCP", "port": 8080]])
        let a = h.sliceEndpoints("web")["a"]!
        XCTAssertEqual(a["addresses"], ["10.244.0.2"])
        XCTAssertEqual(a["conditions"], ["ready": true, "serving": true, "terminating": false])
        XCTAssertEqual(a["nodeName"], "node-1")
        XCTAssertEqual(a["zone"], "zone-a")
        XCTAssertEqual(a[path: "targetRef", "kind"], "Pod")
        XCTAssertEqual(a[path: "targetRef", "uid"], h.get("pods", "a")?[path: "metadata", "uid"])
        XCTAssertEqual(h.sliceEndpoints("web")["b"]?["conditions"], ["ready": false, "serving": false, "terminating": false])

        // Readiness changes update the endpoint in place, in the same slice.
        try h.setPodStatus("b", ip: "10.244.0.3", ready: true)
        XCTAssertTrue(waitUntil("b ready") { h.sliceEndpoints("web")["b"]?[path: "conditions", "ready"] == true })
        XCTAssertEqual(h.slices("web").map { $0[path: "metadata", "name"]?.stringValue ?? "" }, [name])
    }

    func testHeadlessSliceCarriesHostnamesAndHeadlessLabel() throws {
        let h = try ControllerHarness.startEndpoints()
        try h.create("services", ControllerHarness.service("redis-svc", selector: ["app": "redis"], clusterIP: "None",
                                                         ports: [["name": "redis", "port": 6379, "targetPort": "redis"]]))
        for i in 0..<2 {
            try h.create("pods", ControllerHarness.pod("redis-sts-\(i)", labels: ["app": "redis"], ports: [["name": "redis", "containerPort": 6379]],
                                                   hostname: "redis-sts-\(i)", subdomain: "redis-svc"))
            try h.setPodStatus("redis-sts-\(i)", ip: "10.244.2.\(i + 1)", ready: true)
        }
        XCTAssertTrue(waitUntil("both pods") { h.sliceEndpoints("redis-svc").count == 2 })
        let endpoints = h.sliceEndpoints("redis-svc")
        XCTAssertEqual(endpoints["redis-sts-0"]?["hostname"], "redis-sts-0")
        XCTAssertEqual(endpoints["redis-sts-1"]?["hostname"], "redis-sts-1")
        XCTAssertEqual(h.slices("redis-svc")[0][path: "metadata", "labels", "service.kubernetes.io/headless"], "")
        XCTAssertEqual(h.slices("redis-svc")[0]["ports"], [["name": "redis", "protocol": "TCP", "port": 6379]])
    }

    func testPlaceholderSliceIsReusedThenEmptiedAgain() throws {
        let h = try ControllerHarness.startEndpoints()
        try h.create("services", ControllerHarness.service("web"))
        XCTAssertTrue(waitUntil("placeholder") { h.slices("web").count == 1 })
        let placeholder = h.slices("web")[0]
        XCTAssertEqual(placeholder["endpoints"], .null)
        XCTAssertEqual(placeholder["ports"] ?? .null, .null)
        try h.create("pods", ControllerHarness.pod("a"))
        try h.setPodStatus("a", ip: "10.244.0.2", ready: true)
        XCTAssertTrue(waitUntil("endpoint added") { h.sliceEndpoints("web").count == 1 })
        XCTAssertEqual(h.slices("web").count, 1)
        XCTAssertEqual(h.slices("web")[0][path: "metadata", "name"], placeholder[path: "metadata", "name"])
        // No kubelet runs here: delete at once (grace 0) rather than leave the bound pod terminating.
        var now = DeleteOptions()
        now.gracePeriodSeconds = 0
        _ = try h.store("pods").delete(namespace: "default", name: "a", options: now)
        XCTAssertTrue(waitUntil("emptied") { h.slices("web").count == 1 && h.sliceEndpoints("web").isEmpty })
        XCTAssertEqual(h.slices("web")[0]["ports"] ?? .null, .null)
    }

    func testTerminatingPodsAndPublishNotReadyAddresses() throws {
        let h = try ControllerHarness.startEndpoints()
        try h.create("services", ControllerHarness.service("web"))
        try h.create("services", ControllerHarness.service("all", extra: ["publishNotReadyAddresses": true]))
        var held = ControllerHarness.pod("held")
        held[path: "metadata", "finalizers"] = ["example.com/hold"]
        try h.create("pods", held)
        try h.setPodStatus("held", ip: "10.244.0.8", ready: true)
        XCTAssertTrue(waitUntil("listed") { h.sliceEndpoints("web")["held"] != nil && h.sliceEndpoints("all")["held"] != nil })
        _ = try h.store("pods").delete(namespace: "default", name: "held", options: DeleteOptions())
        XCTAssertTrue(waitUntil("terminating") { h.sliceEndpoints("web")["held"]?[path: "conditions", "terminating"] == true })
        XCTAssertEqual(h.sliceEndpoints("web")["held"]?["conditions"], ["ready": false, "serving": true, "terminating": true])
        XCTAssertTrue(waitUntil("published") { h.sliceEndpoints("all")["held"]?[path: "conditions", "terminating"] == true })
        XCTAssertEqual(h.sliceEndpoints("all")["held"]?[path: "conditions", "ready"], true)
        // The Endpoints object drops a terminating pod unless not-ready addresses are published.
        XCTAssertTrue(waitUntil("endpoints") { h.addressIPs(h.endpoints("web")).isEmpty && h.addressIPs(h.endpoints("all")) == ["10.244.0.8"] })
    }

    func testPodsOnUnknownNodesAreSkipped() throws {
        let h = try ControllerHarness.startEndpoints()
        try h.create("services", ControllerHarness.service("web"))
        try h.create("pods", ControllerHarness.pod("known"))
        try h.create("pods", ControllerHarness.pod("lost", node: "node-9"))
        try h.setPodStatus("lost", ip: "10.244.0.9", ready: true)
        try h.setPodStatus("known", ip: "10.244.0.4", ready: true)
        XCTAssertTrue(waitUntil("known listed") { h.sliceEndpoints("web")["known"] != nil })
        XCTAssertNil(h.sliceEndpoints("web")["lost"])
        // The Node appearing is picked up by the retry.
        try h.create("nodes", ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "node-9"]], namespace: nil)
        XCTAssertTrue(waitUntil("lost listed") {
            h.timers.advance(by: .seconds(1))
            return h.sliceEndpoints("web")["lost"] != nil
        })
    }

    func testSelectorAndPortChangesAndServiceDeletion() throws {
        let h = try ControllerHarness.startEndpoints()
        try h.create("services", ControllerHarness.service("web"))
        try h.create("pods", ControllerHarness.pod("a"))
        try h.create("pods", ControllerHarness.pod("b", labels: ["app": "api"], ports: [["name": "http", "containerPort": 9000]]))
        try h.setPodStatus("a", ip: "10.244.0.2", ready: true)
        try h.setPodStatus("b", ip: "10.244.0.3", ready: true)
        XCTAssertTrue(waitUntil("a") { Set(h.sliceEndpoints("web").keys) == ["a"] })
        // A new selector brings b, whose named port resolves to another number: a slice per port set.
        _ = try h.store("services").patch(namespace: "default", name: "web", type: .merge,
                                          patch: RequestBody(value: ["spec": ["selector": ["tier": nil, "app": nil, "role": "backend"]]]), options: WriteOptions())
        for pod in ["a", "b"] {
            _ = try h.store("pods").patch(namespace: "default", name: pod, type: .merge,
                                          patch: RequestBody(value: ["metadata": ["labels": ["role": "backend"]]]), options: WriteOptions())
        }
        XCTAssertTrue(waitUntil("a and b") { Set(h.sliceEndpoints("web").keys) == ["a", "b"] && h.slices("web").count == 2 })
        let ports = Set(h.slices("web").compactMap { $0["ports"]?.arrayValue?.first?["port"]?.intValue })
        XCTAssertEqual(ports, [8080, 9000])
        // Service labels follow onto the slices.
        _ = try h.store("services").patch(namespace: "default", name: "web", type: .merge,
                                          patch: RequestBody(value: ["metadata": ["labels": ["team": "b"]]]), options: WriteOptions())
        XCTAssertTrue(waitUntil("relabelled") { h.slices("web").allSatisfy { $0[path: "metadata", "labels", "team"] == "b" } })
        _ = try h.store("services").delete(namespace: "default", name: "web", options: DeleteOptions())
        XCTAssertTrue(waitUntil("slices collected") { h.slices("web").isEmpty })
    }
}
