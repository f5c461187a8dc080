import APIMachinery
import Foundation
@testable import Registry
import XCTest

/// Service, Endpoints and EndpointSlice rows, after upstream's TestPrintService / TestPrintEndpoint* cases.
final class ServiceTableTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    let created = JSON.string(Timestamp.format(Date(timeIntervalSince1970: 1_700_000_000 - 3600)))

    func service(_ spec: JSON, status: JSON = [:]) -> JSON {
        ["metadata": ["name": "redis-svc", "creationTimestamp": created], "spec": spec, "status": status]
    }

    func testColumns() {
        XCTAssertEqual(ServiceTable.columns.map(\.name), ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"])
        XCTAssertEqual(ServiceTable.columns.map(\.priority), [0, 0, 0, 0, 0, 0, 1])
    }

    func testClusterIPService() {
        let svc = service(["type": "ClusterIP", "clusterIP": "10.96.0.12", "clusterIPs": ["10.96.0.12"],
                           "ports": [["port": 6379, "targetPort": 6379, "protocol": "TCP"]], "selector": ["app": "redis-sts"]])
        XCTAssertEqual(ServiceTable.cells(svc, now: now), ["redis-svc", "ClusterIP", "10.96.0.12", "<none>", "6379/TCP", "60m", "app=redis-sts"])
    }

    func testHeadlessServiceAndNoPorts() {
        let svc = service(["type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"]])
        XCTAssertEqual(ServiceTable.cells(svc, now: now), ["redis-svc", "ClusterIP", "None", "<none>", "<none>", "60m", "<none>"])
    }

    func testNodePortAndExternalIPs() {
        let svc = service(["type": "NodePort", "clusterIPs": ["10.96.0.3"], "externalIPs": ["1.2.3.4", "5.6.7.8"],
                           "ports": [["port": 80, "nodePort": 30080, "protocol": "TCP"], ["port": 53, "protocol": "UDP"]],
                           "selector": ["b": "2", "a": "1"]])
        XCTAssertEqual(ServiceTable.cells(svc, now: now), ["redis-svc", "NodePort", "10.96.0.3", "1.2.3.4,5.6.7.8", "80:30080/TCP,53/UDP", "60m", "a=1,b=2"])
    }

    func testLoadBalancerPendingThenAssigned() {
        var svc = service(["type": "LoadBalancer", "clusterIPs": ["10.96.0.4"], "ports": [["port": 80, "nodePort": 31000, "protocol": "TCP"]]])
        XCTAssertEqual(ServiceTable.cells(svc, now: now)[3], "<pending>")
        svc["status"] = ["loadBalancer": ["ingress": [["ip": "3.3.3.3"], ["hostname": "lb.example.com"], ["ip": "2.2.2.2"]]]]
        XCTAssertEqual(ServiceTable.cells(svc, now: now)[3], "2.2.2.2,3.3.3.3,lb.example.com")
        svc[path: "spec", "externalIPs"] = ["9.9.9.9"]
        XCTAssertEqual(ServiceTable.cells(svc, now: now)[3], "2.2.2.2,3.3.3.3,lb.example.com,9.9.9.9")
    }

    func testExternalName() {
        let svc = service(["type": "ExternalName", "externalName": "db.example.com"])
        XCTAssertEqual(ServiceTable.cells(svc, now: now)[2...3], ["<none>", "db.example.com"])
    }

    func endpoints(_ subsets: JSON?) -> JSON {
        var e: JSON = ["metadata": ["name": "redis-svc", "creationTimestamp": created]]
        if let subsets { e["subsets"] = subsets }
        return e
    }

    func testEndpoints() {
        XCTAssertEqual(EndpointsTable.cells(endpoints(nil), now: now), ["redis-svc", "<none>", "60m"])
        let two: JSON = [["addresses": [["ip": "10.0.0.1"], ["ip": "10.0.0.2"]], "ports": [["port": 6379, "protocol": "TCP"]]]]
        XCTAssertEqual(EndpointsTable.cells(endpoints(two), now: now)[1], "10.0.0.1:6379,10.0.0.2:6379")
    }

    func testEndpointsMoreThanThree() {
        let subsets: JSON = [["addresses": [["ip": "1.1.1.1"], ["ip": "2.2.2.2"], ["ip": "3.3.3.3"]],
                              "ports": [["port": 53, "name": "dns"], ["port": 9153, "name": "metrics"]]]]
        XCTAssertEqual(EndpointsTable.cells(endpoints(subsets), now: now)[1], "1.1.1.1:53,2.2.2.2:53,3.3.3.3:53 + 3 more...")
    }

    func testHeadlessEndpointsWithoutPortsAndIPv6() {
        let noPorts: JSON = [["addresses": [["ip": "10.0.0.1"]]]]
        XCTAssertEqual(EndpointsTable.cells(endpoints(noPorts), now: now)[1], "10.0.0.1")
        let v6: JSON = [["addresses": [["ip": "fd00::1"]], "ports": [["port": 80]]]]
        XCTAssertEqual(EndpointsTable.cells(endpoints(v6), now: now)[1], "[fd00::1]:80")
    }

    func testEndpointSlice() {
        let slice: JSON = ["metadata": ["name": "redis-svc-abcde", "creationTimestamp": created], "addressType": "IPv4",
                           "ports": [["name": "redis", "port": 6379, "protocol": "TCP"]],
                           "endpoints": [["addresses": ["10.0.0.1"]], ["addresses": ["10.0.0.2"]]]]
        XCTAssertEqual(EndpointSliceTable.cells(slice, now: now), ["redis-svc-abcde", "IPv4", "6379", "10.0.0.1,10.0.0.2", "60m"])
        XCTAssertEqual(EndpointSliceTable.columns.map(\.name), ["Name", "AddressType", "Ports", "Endpoints", "Age"])
    }

    func testEndpointSliceEmptyAndOverflow() {
        let empty: JSON = ["metadata": ["name": "s"], "addressType": "IPv4"]
        XCTAssertEqual(EndpointSliceTable.cells(empty, now: now), ["s", "IPv4", "<unset>", "<unset>", "<unknown>"])
        let many: JSON = ["metadata": ["name": "s"], "addressType": "IPv6",
                          "ports": [["name": "http"], [:], ["port": 1], ["port": 2]],
                          "endpoints": [["addresses": ["a", "b"]], ["addresses": ["c", "d", "e"]]]]
        XCTAssertEqual(EndpointSliceTable.cells(many, now: now)[2...3], ["http,*,1 + 1 more...", "a,b,c + 2 more..."])
    }
}
