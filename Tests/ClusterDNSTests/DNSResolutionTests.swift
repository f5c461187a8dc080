import APIMachinery
@testable import ClusterDNS
import ControllerRuntime
import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

/// Queries and answer readers shared by the DNS tests.
enum DNSTestQuery {
    static func message(_ name: String, _ type: DNSRecordType, id: UInt16 = 0x1234, edns: UInt16? = nil) -> DNSMessage {
        var m = DNSMessage()
        m.id = id
        m.recursionDesired = true
        m.questions = [DNSQuestion(name: DNSName(name), type: type)]
        if let edns { m.additionals = [DNSRecord(name: .root, type: .opt, rclass: edns, ttl: 0, data: .opaque([]))] }
        return m
    }

    static func bytes(_ name: String, _ type: DNSRecordType, id: UInt16 = 0x1234, edns: UInt16? = nil) -> [UInt8] {
        DNSMessageWriter.encode(message(name, type, id: id, edns: edns))
    }

    /// The A/AAAA answers as text, in answer order.
    static func addresses(_ m: DNSMessage) -> [String] {
        m.answers.compactMap { if case .address(let a) = $0.data { return IPAddressText.format(a) } else { return nil } }
    }
}

/// An in-process cluster with the DNS resolver over its informers, and the objects of a small
/// StatefulSet behind its headless Service.
struct DNSHarness {
    let cluster: ControllerHarness
    let resolver: ClusterDNSResolver

    init(clusterDomain: String = "cluster.local", podMode: ClusterDNSPodMode = .insecure) throws {
        cluster = try ControllerHarness()
        resolver = ClusterDNSResolver(context: cluster.context, clusterDomain: clusterDomain, podMode: podMode)
        cluster.context.startInformers()
    }

    func ask(_ name: String, _ type: DNSRecordType) -> DNSMessage {
        resolver.respond(to: DNSTestQuery.message(name, type))
    }

    /// Waits until the caches make `name` answer `type` with `expected` addresses.
    func waitFor(_ name: String, _ type: DNSRecordType = .a, _ expected: [String]) -> Bool {
        waitUntil(name) { Set(DNSTestQuery.addresses(ask(name, type))) == Set(expected) }
    }

    func service(_ name: String, clusterIP: String, ports: [JSON] = [], extra: JSONObject = [:]) throws {
        var spec: JSONObject = ["clusterIP": .string(clusterIP), "ports": .array(ports)]
        for (k, v) in extra { spec[k] = v }
        try cluster.create("services", ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)], "spec": .object(spec)])
    }

    func externalName(_ name: String, _ target: String) throws {
        try cluster.create("services", ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
                                        "spec": ["type": "ExternalName", "externalName": .string(target)]])
    }

    static func address(_ ip: String, hostname: String? = nil) -> JSON {
        var a: JSONObject = ["ip": .string(ip)]
        if let hostname { a["hostname"] = .string(hostname) }
        return .object(a)
    }

    func endpoints(_ name: String, ready: [JSON], notReady: [JSON] = [], ports: [JSON]) throws {
        // No addresses at all: no subset, as the endpoints controller writes it.
        let subsets: JSON = ready.isEmpty && notReady.isEmpty ? [] :
            [["addresses": .array(ready), "notReadyAddresses": .array(notReady), "ports": .array(ports)]]
        let body: JSON = ["apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": .string(name)], "subsets": subsets]
        if var current = cluster.get("endpoints", name) {
            current["subsets"] = body["subsets"]
            _ = try cluster.store("endpoints").update(namespace: "default", name: name, body: RequestBody(value: current), options: WriteOptions())
        } else {
            try cluster.create("endpoints", body)
        }
    }

    /// `web` (ClusterIP, ports http/TCP and dns/UDP), headless `redis-svc` with two ready StatefulSet
    /// pods, one ready endpoint without hostname and one not ready, and two ExternalName Services.
    func seed() throws {
        try service("web", clusterIP: "10.96.0.50", ports: [
            ["name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080],
            ["name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53],
        ])
        try service("redis-svc", clusterIP: "None", ports: [["name": "redis", "port": 6379, "protocol": "TCP"]],
                    extra: ["selector": ["app": "redis"]])
        try endpoints("redis-svc", ready: [
            Self.address("10.244.0.5", hostname: "redis-sts-0"), Self.address("10.244.0.6", hostname: "redis-sts-1"),
            Self.address("10.244.0.8"),
        ], notReady: [Self.address("10.244.0.7", hostname: "redis-sts-2")],
           ports: [["name": "redis", "port": 6379, "protocol": "TCP"]])
        try externalName("ext", "db.example.com")
        try externalName("alias", "web.default.svc.cluster.local")
        XCTAssertTrue(waitFor("redis-svc.default.svc.cluster.local", .a, ["10.244.0.5", "10.244.0.6", "10.244.0.8"]))
        XCTAssertTrue(waitFor("web.default.svc.cluster.local", .a, ["10.96.0.50"]))
        XCTAssertTrue(waitUntil("alias") { ask("alias.default.svc.cluster.local", .cname).answers.count == 1 })
    }
}

final class DNSResolutionTests: XCTestCase {
    func testServiceNameAnswersItsClusterIP() throws {
        let h = try DNSHarness()
        try h.seed()
        let m = h.ask("web.default.svc.cluster.local", .a)
        XCTAssertEqual(m.rcode, 0)
        XCTAssertTrue(m.authoritative && m.isResponse)
        XCTAssertEqual(DNSTestQuery.addresses(m), ["10.96.0.50"])
        XCTAssertEqual(m.answers.first?.ttl, 5)
        XCTAssertEqual(m.answers.first?.name, DNSName("web.default.svc.cluster.local"))
        XCTAssertEqual(DNSTestQuery.addresses(h.ask("kubernetes.default.svc.cluster.local", .a)).count, 1)
    }

    func testHeadlessServiceAnswersEveryReadyEndpoint() throws {
        let h = try DNSHarness()
        try h.seed()
        let m = h.ask("redis-svc.default.svc.cluster.local", .a)
        XCTAssertEqual(Set(DNSTestQuery.addresses(m)), ["10.244.0.5", "10.244.0.6", "10.244.0.8"])
        XCTAssertFalse(DNSTestQuery.addresses(m).contains("10.244.0.7"), "not-ready addresses are not published")
    }

    func testEndpointHostnamesAndDashedIPs() throws {
        let h = try DNSHarness()
        try h.seed()
        XCTAssertEqual(DNSTestQuery.addresses(h.ask("redis-sts-0.redis-svc.default.svc.cluster.local", .a)), ["10.244.0.5"])
        XCTAssertEqual(DNSTestQuery.addresses(h.ask("redis-sts-1.redis-svc.default.svc.cluster.local", .a)), ["10.244.0.6"])
        XCTAssertEqual(DNSTestQuery.addresses(h.ask("10-244-0-8.redis-svc.default.svc.cluster.local", .a)), ["10.244.0.8"])
        // An endpoint with a hostname is named by it only; a not-ready one not at all.
        XCTAssertEqual(h.ask("10-244-0-5.redis-svc.default.svc.cluster.local", .a).rcode, 3)
        XCTAssertEqual(h.ask("redis-sts-2.redis-svc.default.svc.cluster.local", .a).rcode, 3)
    }

    func testSRVForNamedPorts() throws {
        let h = try DNSHarness()
        try h.seed()
        let web = h.ask("_http._tcp.web.default.svc.cluster.local", .srv)
        XCTAssertEqual(web.answers.count, 1)
        XCTAssertEqual(web.answers.first?.data, .service(priority: 0, weight: 100, port: 80, target: DNSName("web.default.svc.cluster.local")))
        XCTAssertEqual(web.additionals.map(\.name), [DNSName("web.default.svc.cluster.local")])
        XCTAssertEqual(DNSTestQuery.addresses(DNSMessage.with(answers: web.additionals)), ["10.96.0.50"])

        let all = h.ask("web.default.svc.cluster.local", .srv)
        XCTAssertEqual(all.answers.compactMap { if case .service(_, let w, let p, _) = $0.data { return "\(w)/\(p)" } else { return nil } },
                       ["50/80", "50/53"])
        XCTAssertEqual(all.additionals.count, 1, "one address record per target")
        XCTAssertEqual(h.ask("_dns._udp.web.default.svc.cluster.local", .srv).answers.count, 1)
        XCTAssertEqual(h.ask("_http._udp.web.default.svc.cluster.local", .srv).rcode, 3, "no port matches")

        let redis = h.ask("_redis._tcp.redis-svc.default.svc.cluster.local", .srv)
        let targets = redis.answers.compactMap { if case .service(_, let w, let p, let t) = $0.data { return "\(w) \(p) \(t)" } else { return nil } }
        XCTAssertEqual(Set(targets), [
            "33 6379 redis-sts-0.redis-svc.default.svc.cluster.local.",
            "33 6379 redis-sts-1.redis-svc.default.svc.cluster.local.",
            "33 6379 10-244-0-8.redis-svc.default.svc.cluster.local.",
        ])
        XCTAssertEqual(Set(redis.additionals.map(\.name.description)), [
            "redis-sts-0.redis-svc.default.svc.cluster.local.", "redis-sts-1.redis-svc.default.svc.cluster.local.",
            "10-244-0-8.redis-svc.default.svc.cluster.local.",
        ])
    }

    func testPodNamesInInsecureMode() throws {
        let h = try DNSHarness()
        let m = h.ask("10-244-1-9.default.pod.cluster.local", .a)
        XCTAssertEqual(DNSTestQuery.addresses(m), ["10.244.1.9"])
        XCTAssertEqual(h.ask("10-244-1-9.no-such-ns.pod.cluster.local", .a).rcode, 3)
        XCTAssertEqual(h.ask("not-an-ip.default.pod.cluster.local", .a).rcode, 3)
        XCTAssertEqual(h.ask("10-244-1-9.default.pod.cluster.local", .aaaa).rcode, 0, "NODATA for the other family")
        XCTAssertEqual(DNSTestQuery.addresses(h.ask("fd00--5.default.pod.cluster.local", .aaaa)), ["fd00::5"])
    }

    func testPodNamesInVerifiedModeNeedAPodWithThatIP() throws {
        let h = try DNSHarness(podMode: .verified)
        try h.cluster.create("pods", ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                                      "spec": ["containers": [["name": "c", "image": "busybox"]]]])
        XCTAssertEqual(h.ask("10-244-2-3.default.pod.cluster.local", .a).rcode, 3)
        var pod = try XCTUnwrap(h.cluster.get("pods", "p"))
        pod[path: "status", "podIP"] = "10.244.2.3"
        pod[path: "status", "podIPs"] = [["ip": "10.244.2.3"]]
        _ = try StatusStore(store: h.cluster.store("pods")).update(namespace: "default", name: "p", body: RequestBody(value: pod),
                                                                   options: WriteOptions())
        XCTAssertTrue(h.waitFor("10-244-2-3.default.pod.cluster.local", .a, ["10.244.2.3"]))
    }

    func testReverseLookupsForServiceAndEndpointIPs() throws {
        let h = try DNSHarness()
        try h.seed()
        let service = h.ask("50.0.96.10.in-addr.arpa", .ptr)
        XCTAssertEqual(service.answers.map(\.data), [.name(DNSName("web.default.svc.cluster.local"))])
        let pod = h.ask("5.0.244.10.in-addr.arpa", .ptr)
        XCTAssertEqual(pod.answers.map(\.data), [.name(DNSName("redis-sts-0.redis-svc.default.svc.cluster.local"))])
        let unknown = h.ask("9.9.9.10.in-addr.arpa", .ptr)
        XCTAssertEqual(unknown.rcode, 3)
        XCTAssertEqual(unknown.authorities.first?.name, DNSName("in-addr.arpa"))
        XCTAssertEqual(h.ask("web.default.svc.cluster.local", .ptr).rcode, 0, "a forward name has no PTR: NODATA")
    }

    func testExternalNameAnswersCNAME() throws {
        let h = try DNSHarness()
        try h.seed()
        let ext = h.ask("ext.default.svc.cluster.local", .a)
        XCTAssertEqual(ext.rcode, 0)
        XCTAssertEqual(ext.answers.map(\.data), [.name(DNSName("db.example.com"))], "no upstream: the CNAME alone")
        let alias = h.ask("alias.default.svc.cluster.local", .a)
        XCTAssertEqual(alias.answers.map(\.type), [.cname, .a], "a target inside the cluster domain is followed")
        XCTAssertEqual(DNSTestQuery.addresses(alias), ["10.96.0.50"])
        XCTAssertEqual(h.ask("ext.default.svc.cluster.local", .cname).answers.first?.data, .name(DNSName("db.example.com")))
        let srv = h.ask("ext.default.svc.cluster.local", .srv)
        XCTAssertEqual(srv.rcode, 0)
        XCTAssertTrue(srv.answers.isEmpty, "no SRV for ExternalName Services, as in CoreDNS")
    }

    func testUnknownNamesAnswerNXDOMAINWithSOA() throws {
        let h = try DNSHarness()
        try h.seed()
        for name in ["nope.default.svc.cluster.local", "web.no-such-ns.svc.cluster.local", "no-such-ns.svc.cluster.local",
                     "a.b.c.web.default.svc.cluster.local", "foo.cluster.local", "x.web.default.svc.cluster.local"] {
            let m = h.ask(name, .a)
            XCTAssertEqual(m.rcode, 3, name)
            XCTAssertTrue(m.authoritative, name)
            XCTAssertTrue(m.answers.isEmpty, name)
            guard case .authority(let mname, let rname, _, let refresh, let retry, let expire, let minimum) = m.authorities.first?.data else {
                return XCTFail("no SOA for \(name)")
            }
            XCTAssertEqual(m.authorities.first?.name, DNSName("cluster.local"))
            XCTAssertEqual(mname, DNSName("ns.dns.cluster.local"))
            XCTAssertEqual(rname, DNSName("hostmaster.cluster.local"))
            XCTAssertEqual([refresh, retry, expire, minimum], [7200, 1800, 86400, 5])
        }
    }

    func testExistingNamesOfAnotherTypeAnswerNODATA() throws {
        let h = try DNSHarness()
        try h.seed()
        for (name, type) in [("web.default.svc.cluster.local", DNSRecordType.aaaa), ("redis-svc.default.svc.cluster.local", .mx),
                             ("default.svc.cluster.local", .a), ("svc.cluster.local", .a), ("cluster.local", .a),
                             ("web.default.svc.cluster.local", .txt)] {
            let m = h.ask(name, type)
            XCTAssertEqual(m.rcode, 0, "\(name) \(type)")
            XCTAssertTrue(m.answers.isEmpty, "\(name) \(type)")
            XCTAssertEqual(m.authorities.first?.type, .soa, "\(name) \(type)")
        }
    }

    func testNamesOutsideTheZonesAreRefused() throws {
        let h = try DNSHarness()
        let m = h.ask("example.com", .a)
        XCTAssertEqual(m.rcode, 5)
        XCTAssertFalse(m.authoritative)
        XCTAssertEqual(m.questions.first?.name, DNSName("example.com"))
        XCTAssertEqual(h.ask("cluster.local", .axfr).rcode, 5)
    }

    func testApexRecordsAndSchemaVersion() throws {
        let h = try DNSHarness()
        XCTAssertEqual(h.ask("cluster.local", .soa).answers.first?.type, .soa)
        let ns = h.ask("cluster.local", .ns)
        XCTAssertEqual(ns.answers.first?.data, .name(DNSName("ns.dns.cluster.local")))
        XCTAssertEqual(DNSTestQuery.addresses(DNSMessage.with(answers: ns.additionals)), ["127.0.0.1"])
        let txt = h.ask("dns-version.cluster.local", .txt)
        XCTAssertEqual(txt.answers.first?.data, .text([Array("1.1.0".utf8)]))
    }

    func testQueriesAreCaseInsensitiveAndEchoTheQuestionsCase() throws {
        let h = try DNSHarness()
        try h.seed()
        let m = h.ask("Redis-STS-0.redis-svc.Default.SVC.Cluster.Local", .a)
        XCTAssertEqual(DNSTestQuery.addresses(m), ["10.244.0.5"])
        XCTAssertEqual(m.answers.first?.name.description, "Redis-STS-0.redis-svc.Default.SVC.Cluster.Local.")
    }

    func testCustomClusterDomain() throws {
        let h = try DNSHarness(clusterDomain: "kube.test")
        try h.service("web", clusterIP: "10.96.0.51", ports: [["name": "http", "port": 80]])
        XCTAssertTrue(h.waitFor("web.default.svc.kube.test", .a, ["10.96.0.51"]))
        XCTAssertEqual(h.ask("web.default.svc.cluster.local", .a).rcode, 5)
        XCTAssertEqual(h.ask("51.0.96.10.in-addr.arpa", .ptr).answers.first?.data, .name(DNSName("web.default.svc.kube.test")))
    }

    func testAnswersFollowPodsAsTheyComeAndGo() throws {
        let h = try DNSHarness()
        try h.seed()
        let ports: [JSON] = [["name": "redis", "port": 6379, "protocol": "TCP"]]
        // redis-sts-0 deleted: only redis-sts-1 is left.
        try h.endpoints("redis-svc", ready: [DNSHarness.address("10.244.0.6", hostname: "redis-sts-1")], ports: ports)
        XCTAssertTrue(h.waitFor("redis-svc.default.svc.cluster.local", .a, ["10.244.0.6"]))
        XCTAssertEqual(h.ask("redis-sts-0.redis-svc.default.svc.cluster.local", .a).rcode, 3)
        // Recreated with a new IP.
        try h.endpoints("redis-svc", ready: [DNSHarness.address("10.244.0.9", hostname: "redis-sts-0"),
                                             DNSHarness.address("10.244.0.6", hostname: "redis-sts-1")], ports: ports)
        XCTAssertTrue(h.waitFor("redis-sts-0.redis-svc.default.svc.cluster.local", .a, ["10.244.0.9"]))
        XCTAssertEqual(Set(DNSTestQuery.addresses(h.ask("redis-svc.default.svc.cluster.local", .a))), ["10.244.0.9", "10.244.0.6"])
        // A headless Service without ready endpoints does not exist in DNS (CoreDNS: NXDOMAIN).
        try h.endpoints("redis-svc", ready: [], ports: ports)
        XCTAssertTrue(waitUntil("empty") { h.ask("redis-svc.default.svc.cluster.local", .a).rcode == 3 })
        // The Service deleted.
        _ = try h.cluster.store("services").delete(namespace: "default", name: "web", options: DeleteOptions())
        XCTAssertTrue(waitUntil("web gone") { h.ask("web.default.svc.cluster.local", .a).rcode == 3 })
    }
}

extension DNSMessage {
    static func with(answers: [DNSRecord]) -> DNSMessage {
        var m = DNSMessage()
        m.answers = answers
        return m
    }
}
