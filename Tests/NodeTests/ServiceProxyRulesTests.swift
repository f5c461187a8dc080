import APIMachinery
@testable import Node
import XCTest

/// The service proxy's rules, from Services and EndpointSlices as the informers hold them: only
/// ready endpoints of the slice port with the Service port's name and protocol, NodePorts beside
/// ClusterIPs, rejection without endpoints; and (as root with nft) a script the kernel accepts.
final class ServiceProxyRulesTests: XCTestCase {
    func service(_ name: String, clusterIP: String, ports: [JSON], type: String = "ClusterIP") -> JSON {
        ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "namespace": "default"],
         "spec": ["type": .string(type), "clusterIP": .string(clusterIP), "ports": .array(ports)]]
    }

    func slice(_ service: String, ports: [JSON], endpoints: [(String, Bool?)]) -> JSON {
        ["apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
         "metadata": ["name": .string(service + "-abc"), "namespace": "default", "labels": ["kubernetes.io/service-name": .string(service)]],
         "ports": .array(ports),
         "endpoints": .array(endpoints.map { ip, ready in
             var conditions: JSONObject = [:]
             if let ready { conditions["ready"] = .bool(ready) }
             return ["addresses": [.string(ip)], "conditions": .object(conditions)]
         })]
    }

    func testReadyEndpointsOfTheMatchingPortOnly() {
        let services = [
            service("web", clusterIP: "10.96.0.10", ports: [["name": "http", "port": 80, "protocol": "TCP", "nodePort": 30080],
                                                            ["name": "dns", "port": 53, "protocol": "UDP"]], type: "NodePort"),
            service("headless", clusterIP: "None", ports: [["port": 80]]),
            service("empty", clusterIP: "10.96.0.11", ports: [["port": 6379, "protocol": "TCP"]]),
        ]
        let slices = [
            slice("web", ports: [["name": "http", "port": 8080, "protocol": "TCP"], ["name": "dns", "port": 5353, "protocol": "UDP"]],
                  endpoints: [("10.244.0.5", true), ("10.244.0.6", false), ("10.244.0.7", nil)]),
            slice("headless", ports: [["port": 80]], endpoints: [("10.244.0.9", true)]),
        ]
        let rules = ServiceProxyRules(services: services, slices: slices)
        XCTAssertEqual(rules.ports.map(\.service), ["default/empty:", "default/web:dns", "default/web:http"])
        XCTAssertEqual(rules.ports[2], .init(service: "default/web:http", protocol: "tcp", clusterIP: "10.96.0.10", port: 80, nodePort: 30080,
                                             endpoints: [.init(ip: "10.244.0.5", port: 8080), .init(ip: "10.244.0.7", port: 8080)]))
        XCTAssertEqual(rules.ports[1].endpoints, [.init(ip: "10.244.0.5", port: 5353), .init(ip: "10.244.0.7", port: 5353)])
        XCTAssertEqual(rules.ports[0].endpoints, [])

        let script = rules.script(table: "kubelite-test")
        XCTAssertTrue(script.hasPrefix("table ip kubelite-test\ndelete table ip kubelite-test\ntable ip kubelite-test {\n"))
        XCTAssertTrue(script.contains("ip daddr 10.96.0.10 meta l4proto tcp th dport 80 goto svc-2"), script)
        XCTAssertTrue(script.contains("fib daddr type local meta l4proto tcp th dport 30080 goto svc-2"), script)
        XCTAssertTrue(script.contains("numgen random mod 2 vmap { 0 : goto ep-2-0, 1 : goto ep-2-1 }"), script)
        XCTAssertTrue(script.contains("meta l4proto tcp dnat to 10.244.0.7:8080"), script)
        XCTAssertTrue(script.contains("elements = { 10.96.0.11 . tcp . 6379 }"), "no endpoints: rejected")
        XCTAssertFalse(script.contains("goto svc-0"), "a port without endpoints is not DNATed")
        XCTAssertFalse(script.contains("10.244.0.9"), "headless Services are not proxied")
    }

    func testTheKernelAcceptsTheScript() throws {
        guard geteuid() == 0, NFTables.isAvailable else { throw XCTSkip("checking a script needs root and nft (Debian package nftables)") }
        let rules = ServiceProxyRules(ports: [
            .init(service: "a", protocol: "tcp", clusterIP: "10.96.0.10", port: 80, nodePort: 30080,
                  endpoints: [.init(ip: "10.244.0.5", port: 8080), .init(ip: "10.244.0.6", port: 8080)]),
            .init(service: "b", protocol: "udp", clusterIP: "10.96.0.11", port: 53, nodePort: nil, endpoints: [.init(ip: "10.244.0.5", port: 53)]),
            .init(service: "c", protocol: "tcp", clusterIP: "10.96.0.12", port: 6379, nodePort: 30079, endpoints: []),
        ])
        // `nft -c` checks the whole transaction against the kernel without applying it.
        let (status, output) = IPRoute.run(executable: NFTables.path, ["-c", "-f", "-"], input: rules.script(table: "kubelite-check"))
        XCTAssertEqual(status, 0, output)
        XCTAssertFalse(NFTables.tableExists("kubelite-check"))
    }

    func testTheTableNamesItsOwningProcess() {
        let script = ServiceProxyRules(ports: []).script(table: "kubelite-test", owner: 4242)
        XCTAssertTrue(script.contains("table ip kubelite-test {\n  comment \"kubelite pid 4242\"\n"), script)
    }

    /// A crashed run's table (its owner gone) is removed by any later run; a live owner's is kept.
    func testAbandonedTablesAreRemovedAndLiveOnesKept() throws {
        guard geteuid() == 0, NFTables.isAvailable else { throw XCTSkip("programming nftables needs root and nft (Debian package nftables)") }
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let suffix = String(UInt32.random(in: 0..<UInt32.max), radix: 16)
        let (abandoned, live) = ("kubelite-gone\(suffix)", "kubelite-live\(suffix)")
        defer { NFTables.deleteTable(abandoned); NFTables.deleteTable(live) }
        try NFTables.apply(ServiceProxyRules(ports: []).script(table: abandoned, owner: ended.processIdentifier))
        try NFTables.apply(ServiceProxyRules(ports: []).script(table: live, owner: getppid()))
        XCTAssertEqual(NFTables.owner(of: abandoned), ended.processIdentifier)

        let removed = ServiceProxy.removeAbandoned()
        XCTAssertTrue(removed.contains(abandoned), "\(removed)")
        XCTAssertFalse(NFTables.tableExists(abandoned))
        XCTAssertTrue(NFTables.tableExists(live), "a live process' table is kept")
    }
}
