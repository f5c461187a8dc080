import XCTest
@testable import APIMachinery

final class ServiceNodeSliceViewTests: XCTestCase {
    func testService() {
        let service = ServiceView([
            "metadata": ["name": "web"],
            "spec": ["type": "ClusterIP", "clusterIP": "10.96.0.10", "publishNotReadyAddresses": true, "selector": ["app": "web"],
                     "ports": [["name": "http", "port": 80, "targetPort": "http"], ["port": 53, "protocol": "UDP", "targetPort": "5353"],
                               ["port": 443, "appProtocol": "https"]]],
        ])
        XCTAssertEqual(service.meta.name, "web")
        XCTAssertFalse(service.isExternalName)
        XCTAssertTrue(service.hasClusterIP)
        XCTAssertFalse(service.isHeadless)
        XCTAssertTrue(service.publishNotReadyAddresses)
        XCTAssertEqual(service.selector, ["app": "web"])
        XCTAssertEqual(service.ports.map(\.target), [.name("http"), .number(5353), .number(443)])
        XCTAssertEqual(service.ports.map(\.protocol), ["TCP", "UDP", "TCP"])
        XCTAssertEqual(service.ports[2].appProtocol, "https")

        let headless = ServiceView(["spec": ["clusterIP": "None"]])
        XCTAssertTrue(headless.isHeadless)
        XCTAssertFalse(headless.hasClusterIP)
        XCTAssertNil(headless.selector, "no selector is not an empty selector")
        XCTAssertTrue(ServiceView(["spec": ["type": "ExternalName"]]).isExternalName)
    }

    func testNode() {
        let node = NodeView(["metadata": ["name": "n1"], "spec": ["unschedulable": true, "taints": [["key": "k", "effect": "NoSchedule"]]],
                             "status": ["allocatable": ["pods": "110"]]])
        XCTAssertEqual(node.meta.name, "n1")
        XCTAssertTrue(node.unschedulable)
        XCTAssertEqual(node.taints.count, 1)
        XCTAssertEqual(node.allocatable, ["pods": "110"])
        XCTAssertFalse(NodeView([:]).unschedulable)
    }

    func testEndpointSlice() {
        let slice = EndpointSliceView(["addressType": "IPv4", "metadata": ["labels": [
            EndpointSliceView.serviceNameLabel: "web", EndpointSliceView.managedByLabel: "endpointslice-controller.k8s.io"]]])
        XCTAssertEqual(slice.addressType, "IPv4")
        XCTAssertEqual(slice.serviceName, "web")
        XCTAssertEqual(slice.managedBy, "endpointslice-controller.k8s.io")
        XCTAssertTrue(slice.hasNoEndpointsOrPorts)
    }
}
