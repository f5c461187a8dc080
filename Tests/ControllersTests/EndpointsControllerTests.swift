import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

final class EndpointsControllerTests: XCTestCase {
    func testReadyAndNotReadyAddressesWithNamedTargetPort() throws {
        let h = try ControllerHarness.startEndpoints()
        try h.create("services", ControllerHarness.service("web"))
        for name in ["web-a", "web-b", "web-c"] { try h.create("pods", ControllerHarness.pod(name)) }
        try h.create("pods", ControllerHarness.pod("other", labels: ["app": "db"]))
        try h.setPodStatus("web-a", ip: "10.244.0.5", ready: true)
        try h.setPodStatus("web-b", ip: "10.244.0.12", ready: false)
        try h.setPodStatus("other", ip: "10.244.0.9", ready: true)
        // web-c has no address yet: it is left out.
        XCTAssertTrue(waitUntil("endpoints") {
            h.addressIPs(h.endpoints("web")) == ["10.244.0.5"] && h.addressIPs(h.endpoints("web"), "notReadyAddresses") == ["10.244.0.12"]
        }, "\(String(describing: h.endpoints("web")))")
        let ep = h.endpoints("web")!
        let subset = ep["subsets"]!.arrayValue![0]
        XCTAssertEqual(subset["ports"], [["name": "web", "port": 8080, "protocol": "TCP"]])
        let address = subset["addresses"]!.arrayValue![0]
        XCTAssertEqual(address["nodeName"], "node-1")
        XCTAssertNil(address["hostname"])
        XCTAssertEqual(address[path: "targetRef", "kind"], "Pod")
        XCTAssertEqual(address[path: "targetRef", "name"], "web-a")
        XCTAssertEqual(address[path: "targetRef", "namespace"], "default")
        XCTAssertEqual(address[path: "targetRef", "uid"], h.get("pods", "web-a")?[path: "metadata", "uid"])
        XCTAssertEqual(ep[path: "metadata", "labels"], ["team": "a"])
        XCTAssertNotNil(ep[path: "metadata", "annotations", "endpoints.kubernetes.io/last-change-trigger-time"])

        // Becoming ready moves the address; the trigger time is the Ready transition.
        try h.setPodStatus("web-b", ip: "10.244.0.12", ready: true, transition: "2024-02-02T10:00:00Z")
        XCTAssertTrue(waitUntil("web-b ready") { h.addressIPs(h.endpoints("web")) == ["10.244.0.12", "10.244.0.5"] })
        XCTAssertNil(h.endpoints("web")?["subsets"]?.arrayValue?[0]["notReadyAddresses"])
        XCTAssertEqual(h.endpoints("web")?[path: "metadata", "annotations", "endpoints.kubernetes.io/last-change-trigger-time"],
                       "2024-02-02T10:00:00Z")
    }

    func testPortsThatDoNotResolveAreLeftOut() throws {
        let h = try ControllerHarness.startEndpoints()
        try h.create("services", ControllerHarness.service("mixed", ports: [
            ["name": "web", "port": 80, "targetPort": "http"], ["name": "metrics", "port": 9090, "targetPort": "metrics"],
            ["name": "raw", "port": 81, "targetPort": 9000],
        ]))
        try h.create("pods", ControllerHarness.pod("a"))
        try h.create("pods", ControllerHarness.pod("b", ports: [["name": "http", "containerPort": 8080], ["name": "metrics", "containerPort": 9100]]))
        try h.setPodStatus("a", ip: "10.244.0.2", ready: true)
        try h.setPodStatus("b", ip: "10.244.0.3", ready: true)
        XCTAssertTrue(waitUntil("two subsets") { h.endpoints("mixed")?["subsets"]?.arrayValue?.count == 2 })
        // Addresses offering the same ports share a subset: both serve http and 9000, only b serves metrics.
        let subsets = h.endpoints("mixed")!["subsets"]!.arrayValue!
        let both = subsets.first { $0["addresses"]?.arrayValue?.count == 2 }
        XCTAssertEqual(both?["ports"], [["name": "raw", "port": 9000, "protocol": "TCP"], ["name": "web", "port": 8080, "protocol": "TCP"]])
        let onlyB = subsets.first { $0["addresses"]?.arrayValue?.count == 1 }
        XCTAssertEqual(onlyB?["ports"], [["name": "metrics", "port": 9100, "protocol": "TCP"]])
        XCTAssertEqual(onlyB?["addresses"]?.arrayValue?.first?["ip"], "10.244.0.3")
    }

    func testPublishNotReadyAddresses() throws {
        let h = try ControllerHarness.startEndpoints()
        try h.create("services", ControllerHarness.service("all", extra: ["publishNotReadyAddresses": true]))
        try h.create("pods", ControllerHarness.pod("a"))
        try h.setPodStatus("a", ip: "10.244.0.7", ready: false)
        XCTAssertTrue(waitUntil("published") { h.addressIPs(h.endpoints("all")) == ["10.244.0.7"] })
        XCTAssertEqual(h.addressIPs(h.endpoints("all"), "notReadyAddresses"), [])
    }

    func testHeadlessServiceHostnamesForStatefulSetPods() throws {
        let h = try ControllerHarness.startEndpoints()
        try h.create("services", ControllerHarness.service("redis-svc", selector: ["app": "redis"], clusterIP: "None",
                                                         ports: [["name": "redis", "port": 6379]]))
        for i in 0..<2 {
            try h.create("pods", ControllerHarness.pod("redis-sts-\(i)", labels: ["app": "redis"], hostname: "redis-sts-\(i)", subdomain: "redis-svc"))
            try h.setPodStatus("redis-sts-\(i)", ip: "10.244.1.\(i + 1)", ready: true)
        }
        // A pod of the same selector naming another subdomain gets no hostname.
        try h.create("pods", ControllerHarness.pod("stray", labels: ["app": "redis"], hostname: "stray", subdomain: "elsewhere"))
        try h.setPodStatus("stray", ip: "10.244.1.9", ready: true)
        XCTAssertTrue(waitUntil("three addresses") { h.addressIPs(h.endpoints("redis-svc")).count == 3 })
        let ep = h.endpoints("redis-svc")!
        let addresses = ep["subsets"]!.arrayValue![0]["addresses"]!.arrayValue!
        XCTAssertEqual(addresses.map { $0["hostname"]?.stringValue ?? "-" }, ["redis-sts-0", "redis-sts-1", "-"])
        XCTAssertEqual(ep[path: "metadata", "labels"], ["team": "a", "service.kubernetes.io/headless": ""])
        XCTAssertEqual(ep["subsets"]!.arrayValue![0]["ports"], [["name": "redis", "port": 6379, "protocol": "TCP"]])
    }

    func testHeadlessServiceWithoutPortsListsAddresses() throws {
        let h = try ControllerHarness.startEndpoints()
        try h.create("services", ControllerHarness.service("bare", clusterIP: "None", ports: .null))
        try h.create("pods", ControllerHarness.pod("a"))
        try h.setPodStatus("a", ip: "10.244.0.4", ready: true)
        XCTAssertTrue(waitUntil("address without ports") { h.addressIPs(h.endpoints("bare")) == ["10.244.0.4"] })
        XCTAssertNil(h.endpoints("bare")?["subsets"]?.arrayValue?[0]["ports"])
    }

    func testFollowsPodDeletionLabelChangesAndServiceDeletion() throws {
        let h = try ControllerHarness.startEndpoints()
        try h.create("services", ControllerHarness.service("web"))
        try h.create("pods", ControllerHarness.pod("a"))
        try h.create("pods", ControllerHarness.pod("b"))
        try h.setPodStatus("a", ip: "10.244.0.2", ready: true)
        try h.setPodStatus("b", ip: "10.244.0.3", ready: true)
        XCTAssertTrue(waitUntil("both") { h.addressIPs(h.endpoints("web")) == ["10.244.0.2", "10.244.0.3"] })
        _ = try h.store("pods").delete(namespace: "default", name: "a", options: DeleteOptions())
        XCTAssertTrue(waitUntil("a gone") { h.addressIPs(h.endpoints("web")) == ["10.244.0.3"] })
        _ = try h.store("pods").patch(namespace: "default", name: "b", type: .merge, patch: RequestBody(value: ["metadata": ["labels": ["app": "moved"]]]),
                                      options: WriteOptions())
        XCTAssertTrue(waitUntil("b unselected") { h.endpoints("web") != nil && h.endpoints("web")?["subsets"] == nil })
        // Deleted Endpoints come back; a deleted Service takes them with it.
        _ = try h.store("endpoints").delete(namespace: "default", name: "web", options: DeleteOptions())
        XCTAssertTrue(waitUntil("recreated") { h.endpoints("web") != nil })
        _ = try h.store("services").delete(namespace: "default", name: "web", options: DeleteOptions())
        XCTAssertTrue(waitUntil("endpoints deleted") { h.endpoints("web") == nil })
    }

    func testServicesWithoutSelectorAreNotManaged() throws {
        let h = try ControllerHarness.startEndpoints()
        try h.create("services", ControllerHarness.service("manual", selector: nil))
        try h.create("services", ControllerHarness.service("web"))
        XCTAssertTrue(waitUntil("web endpoints") { h.endpoints("web") != nil })
        XCTAssertNil(h.endpoints("manual"))
    }

    func testKubernetesServiceEndpointsPointAtTheAPIServer() throws {
        let h = try ControllerHarness.startEndpoints(apiServer: APIServerEndpoint(address: "192.168.5.4", port: 8443))
        let slices = { h.get("endpointslices", "kubernetes", group: "discovery.k8s.io") }
        XCTAssertTrue(waitUntil("kubernetes endpoints") { h.endpoints("kubernetes") != nil && slices() != nil })
        let ep = try XCTUnwrap(h.endpoints("kubernetes"))
        XCTAssertEqual(ep["subsets"], [["addresses": [["ip": "192.168.5.4"]], "ports": [["name": "https", "port": 8443, "protocol": "TCP"]]]])
        XCTAssertEqual(ep[path: "metadata", "labels"], ["endpointslice.kubernetes.io/skip-mirror": "true"])
        let slice = try XCTUnwrap(slices())
        XCTAssertEqual(slice[path: "metadata", "labels"], ["kubernetes.io/service-name": "kubernetes"])
        XCTAssertEqual(slice["addressType"], "IPv4")
        XCTAssertEqual(slice["endpoints"]?.arrayValue?.first?["addresses"], ["192.168.5.4"])
        XCTAssertEqual(slice["endpoints"]?.arrayValue?.first?[path: "conditions", "ready"], true)
        XCTAssertEqual(slice["ports"], [["name": "https", "protocol": "TCP", "port": 8443]])
        XCTAssertEqual(h.get("services", "kubernetes")?[path: "spec", "ports"]?.arrayValue?.first?["targetPort"], 8443)
        _ = try h.store("endpoints").delete(namespace: "default", name: "kubernetes", options: DeleteOptions())
        XCTAssertTrue(waitUntil("restored") { h.endpoints("kubernetes") != nil })
    }

    func testLoopbackAdvertiseAddressIsRefusedAsUpstream() throws {
        // Endpoints validation refuses loopback addresses, so (as with kube-apiserver) the
        // kubernetes Endpoints are not written; the Service still targets the served port.
        let h = try ControllerHarness.startEndpoints(apiServer: APIServerEndpoint(address: "127.0.0.1", port: 9443))
        XCTAssertTrue(waitUntil("service target port") {
            h.get("services", "kubernetes")?[path: "spec", "ports"]?.arrayValue?.first?["targetPort"] == 9443
        })
        XCTAssertNil(h.endpoints("kubernetes"))
        let chosen = APIServerEndpoint.advertising(bindAddress: "0.0.0.0", port: 1)
        XCTAssertTrue(NameValidation.isValidIPv4(chosen.address))
        XCTAssertEqual(APIServerEndpoint.advertising(bindAddress: "10.1.2.3", port: 6443), APIServerEndpoint(address: "10.1.2.3", port: 6443))
    }
}
