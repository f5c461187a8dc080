import APIMachinery
import Registry
import XCTest

/// Node ports: allocation for NodePort and LoadBalancer, requests, range errors, release on delete
/// and on type change, and a full range.
final class ServiceNodePortTests: XCTestCase {
    func testNodePortAndLoadBalancerGetPortsInRange() throws {
        let s = try ServiceAPI()
        let np = s.create(ServiceAPI.service("np", type: "NodePort", ports: [["name": "a", "port": 80], ["name": "b", "port": 443]]))
        XCTAssertEqual(np.status, 201, np.text)
        let ports = s.nodePorts(np.json)
        XCTAssertEqual(ports.count, 2)
        XCTAssertTrue(ports.allSatisfy { (30000...32767).contains($0) }, "\(ports)")
        XCTAssertNotEqual(ports[0], ports[1])
        XCTAssertEqual(np.json[path: "spec", "externalTrafficPolicy"], "Cluster")
        let lb = s.create(ServiceAPI.service("lb", type: "LoadBalancer"))
        XCTAssertEqual(lb.status, 201, lb.text)
        XCTAssertEqual(s.nodePorts(lb.json).count, 1)
        XCTAssertEqual(lb.json["status"], ["loadBalancer": [:]])
        XCTAssertNotNil(lb.json[path: "spec", "clusterIP"]?.stringValue)
        var noPorts = ServiceAPI.service("lb2", type: "LoadBalancer")
        noPorts[path: "spec", "allocateLoadBalancerNodePorts"] = false
        XCTAssertEqual(s.nodePorts(s.create(noPorts).json), [])
        XCTAssertEqual(s.nodePorts(s.create(ServiceAPI.service("plain")).json), [])
    }

    func testRequestedNodePortHonouredOrRefused() throws {
        let s = try ServiceAPI()
        let a = s.create(ServiceAPI.service("a", type: "NodePort", ports: [["port": 80, "nodePort": 30080]]))
        XCTAssertEqual(s.nodePorts(a.json), [30080])
        let taken = s.create(ServiceAPI.service("b", type: "NodePort", ports: [["port": 80, "nodePort": 30080]]))
        XCTAssertEqual(taken.status, 422)
        XCTAssertEqual(taken.json["message"], .string(#"Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"#))
        let low = s.create(ServiceAPI.service("c", type: "NodePort", ports: [["port": 80, "nodePort": 80]]))
        XCTAssertEqual(low.status, 422)
        XCTAssertEqual(low.json["message"], .string(#"Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"#))
        XCTAssertEqual(low.json[path: "details", "causes"]?.arrayValue?.first?["field"], "spec.ports[0].nodePort")
        // The failed creates left their addresses behind them.
        XCTAssertEqual(s.registry.serviceIPs.free, (1 << 20) - 2 - 2)
    }

    func testDuplicateNodePortsPerProtocolAreInvalid() throws {
        let s = try ServiceAPI()
        let r = s.create(ServiceAPI.service("d", type: "NodePort", ports: [
            ["name": "a", "port": 80, "nodePort": 30100], ["name": "b", "port": 81, "nodePort": 30100],
        ]))
        XCTAssertEqual(r.status, 422)
        XCTAssertEqual(r.json["message"], .string(#"Service "d" is invalid: spec.ports[1].nodePort: Duplicate value: 30100"#))
        let shared = s.create(ServiceAPI.service("e", type: "NodePort", ports: [
            ["name": "a", "port": 53, "protocol": "UDP", "nodePort": 30101], ["name": "b", "port": 53, "protocol": "TCP", "nodePort": 30101],
        ]))
        XCTAssertEqual(shared.status, 201, shared.text)
    }

    func testSamePortNumberSharesOneNodePort() throws {
        let s = try ServiceAPI()
        let dns = s.create(ServiceAPI.service("dns", type: "NodePort", ports: [
            ["name": "udp", "port": 53, "protocol": "UDP"], ["name": "tcp", "port": 53, "protocol": "TCP"],
        ]))
        let ports = s.nodePorts(dns.json)
        XCTAssertEqual(ports.count, 2)
        XCTAssertEqual(ports[0], ports[1])
    }

    func testReleasedOnDeleteAndOnTypeChange() throws {
        let s = try ServiceAPI()
        let a = s.create(ServiceAPI.service("a", type: "NodePort")).json
        let port = s.nodePorts(a)[0]
        XCTAssertTrue(s.registry.nodePorts.isAllocated(port))
        let clusterIP = s.patch("a", ["spec": ["type": "ClusterIP"]])
        XCTAssertEqual(clusterIP.status, 200, clusterIP.text)
        XCTAssertEqual(s.nodePorts(clusterIP.json), [])
        XCTAssertNil(clusterIP.json[path: "spec", "externalTrafficPolicy"])
        XCTAssertFalse(s.registry.nodePorts.isAllocated(port))
        XCTAssertEqual(clusterIP.json[path: "spec", "clusterIP"], a[path: "spec", "clusterIP"])

        let again = s.patch("a", ["spec": ["type": "NodePort"]])
        XCTAssertEqual(again.status, 200, again.text)
        let newPort = s.nodePorts(again.json)[0]
        XCTAssertTrue(s.registry.nodePorts.isAllocated(newPort))
        // kubectl apply of the manifest without nodePort keeps the allocated one.
        let kept = s.put(ServiceAPI.service("a", type: "NodePort"))
        XCTAssertEqual(kept.status, 200, kept.text)
        XCTAssertEqual(s.nodePorts(kept.json), [newPort])
        // Asking for another port releases the old one once stored.
        let moved = s.patch("a", ["spec": ["ports": [["port": 80, "nodePort": 31999]]]])
        XCTAssertEqual(moved.status, 200, moved.text)
        XCTAssertEqual(s.nodePorts(moved.json), [31999])
        XCTAssertFalse(s.registry.nodePorts.isAllocated(newPort))

        let external = s.patch("a", ["spec": ["type": "ExternalName", "externalName": "example.com"]])
        XCTAssertEqual(external.status, 200, external.text)
        XCTAssertFalse(s.registry.nodePorts.isAllocated(31999))
        XCTAssertEqual(s.delete("a").status, 200)
        XCTAssertEqual(s.registry.nodePorts.free, 2768)
    }

    func testFailedUpdateKeepsThePoolsAsTheyWere() throws {
        let s = try ServiceAPI()
        s.create(ServiceAPI.service("holder", type: "NodePort", ports: [["port": 80, "nodePort": 30500]]))
        let a = s.create(ServiceAPI.service("a")).json
        let r = s.patch("a", ["spec": ["type": "NodePort", "ports": [["name": "x", "port": 80, "nodePort": 30600], ["name": "y", "port": 81, "nodePort": 30500]]]])
        XCTAssertEqual(r.status, 422)
        XCTAssertEqual(r.json[path: "details", "causes"]?.arrayValue?.first?["field"], "spec.ports[1].nodePort")
        XCTAssertFalse(s.registry.nodePorts.isAllocated(30600))
        XCTAssertEqual(s.get("a")[path: "spec", "type"], a[path: "spec", "type"])
    }

    func testFullNodePortRange() throws {
        let s = try ServiceAPI(nodePorts: 30000...30001)
        XCTAssertEqual(s.create(ServiceAPI.service("a", type: "NodePort", ports: [["name": "a", "port": 1], ["name": "b", "port": 2]])).status, 201)
        let full = s.create(ServiceAPI.service("b", type: "NodePort"))
        XCTAssertEqual(full.status, 500)
        XCTAssertEqual(full.json["message"], "Internal error occurred: failed to allocate a nodePort: range is full")
        XCTAssertEqual(s.registry.serviceIPs.free, (1 << 20) - 2 - 2)
    }

    func testHealthCheckNodePortForLocalTrafficLoadBalancers() throws {
        let s = try ServiceAPI()
        let lb = s.create(ServiceAPI.service("lb", type: "LoadBalancer", extra: ["externalTrafficPolicy": "Local"])).json
        let hc = Int(lb[path: "spec", "healthCheckNodePort"]?.intValue ?? 0)
        XCTAssertTrue((30000...32767).contains(hc))
        let cluster = s.patch("lb", ["spec": ["externalTrafficPolicy": "Cluster"]])
        XCTAssertEqual(cluster.status, 200, cluster.text)
        XCTAssertNil(cluster.json[path: "spec", "healthCheckNodePort"])
        XCTAssertFalse(s.registry.nodePorts.isAllocated(hc))
    }
}
