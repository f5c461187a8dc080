import APIMachinery
import Foundation
@testable import Registry
import XCTest

/// Ingress and IngressClass validation with upstream's messages and field paths, and their Table cells.
final class IngressStrategyTests: XCTestCase {
    let strategy = IngressStrategy()
    static let web = json("""
    {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"web"},
     "spec":{"ingressClassName":"nginx","tls":[{"hosts":["*.example.com"],"secretName":"tls"}],
       "rules":[{"host":"a.example.com","http":{"paths":[
         {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}
    """)

    func testValidIngressHasNoDefaultsAndStartsWithoutStatus() {
        let (o, errors) = create(strategy, modified(Self.web) { $0["status"] = ["loadBalancer": ["ingress": [["ip": "1.2.3.4"]]]] })
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o["status"], ["loadBalancer": [:]])
        XCTAssertEqual(o[path: "spec", "rules"], Self.web[path: "spec", "rules"])
    }

    func testRulesOrDefaultBackendRequired() {
        let errors = create(strategy, modified(Self.web) { $0["spec"] = [:] }).errors
        XCTAssertEqual(errors, ["spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"])
    }

    func testPathAndBackendErrors() {
        func errors(_ path: JSON) -> [String] {
            create(strategy, modified(Self.web) { $0.setValue([["host": "a.example.com", "http": ["paths": .array([path])]]], at: ["spec", "rules"]) }).errors
        }
        let service: JSON = ["service": ["name": "web", "port": ["number": 80]]]
        let prefix = "spec.rules[0].http.paths[0]"
        XCTAssertEqual(errors(["path": "/", "backend": service]), ["\(prefix).pathType: Required value: pathType must be specified"])
        XCTAssertEqual(errors(["path": "a", "pathType": "Exact", "backend": service]),
                       ["\(prefix).path: Invalid value: \"a\": must be an absolute path"])
        XCTAssertEqual(errors(["path": "/a/..", "pathType": "Prefix", "backend": service]),
                       ["\(prefix).path: Invalid value: \"/a/..\": cannot end with '/..'"])
        XCTAssertEqual(errors(["path": "/", "pathType": "Regex", "backend": service]),
                       ["\(prefix).pathType: Unsupported value: \"Regex\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\""])
        XCTAssertEqual(errors(["path": "/", "pathType": "Prefix", "backend": [:]]),
                       ["\(prefix).backend: Invalid value: \"\": resource or service backend is required"])
        XCTAssertEqual(errors(["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "web"]]]),
                       ["\(prefix).backend: Required value: port name or number is required"])
        XCTAssertEqual(errors(["path": "/", "pathType": "Prefix",
                               "backend": ["service": ["name": "web", "port": ["number": 80]], "resource": ["kind": "B", "name": "b"]]]),
                       ["\(prefix).backend: Invalid value: \"\": cannot set both resource and service backends"])
        XCTAssertEqual(errors(["pathType": "ImplementationSpecific", "backend": ["resource": ["apiGroup": "k8s.example.com", "kind": "Bucket", "name": "b"]]]), [])
    }

    func testHostsAreDNSNames() {
        let errors = create(strategy, modified(Self.web) {
            $0.setValue([["host": "1.2.3.4"]], at: ["spec", "rules"])
            $0.setValue([["hosts": ["*"]]], at: ["spec", "tls"])
        }).errors
        XCTAssertEqual(errors.first, "spec.rules[0].host: Invalid value: \"1.2.3.4\": must be a DNS name, not an IP address")
        XCTAssertTrue(errors.contains { $0.hasPrefix("spec.tls[0].hosts[0]: Invalid value: \"*\": a wildcard DNS-1123 subdomain must start with '*.'") }, "\(errors)")
    }

    func testStatusLoadBalancerEntries() {
        let o = create(strategy, Self.web).object
        let bad = modified(o) { $0["status"] = ["loadBalancer": ["ingress": [["ip": "nope"], ["hostname": "10.0.0.1"]]]] }
        let errors = update(strategy, bad, old: bad).errors
        XCTAssertEqual(errors, ["status.loadBalancer.ingress[0].ip: Invalid value: \"nope\": must be a valid IP address",
                                "status.loadBalancer.ingress[1].hostname: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address"])
    }

    func testIngressColumns() {
        var ingress = Self.web
        ingress["status"] = ["loadBalancer": ["ingress": [["ip": "10.0.0.12"], ["ip": "10.0.0.11"]]]]
        let cells = IngressTable.cells(ingress, now: Date())
        XCTAssertEqual(Array(cells.prefix(5)), ["web", "nginx", "a.example.com", "10.0.0.11,10....", "80, 443"])
        XCTAssertEqual(IngressTable.columns.map(\.name), ["Name", "Class", "Hosts", "Address", "Ports", "Age"])
        XCTAssertEqual(IngressTable.hosts(modified(Self.web) { $0.setValue([["http": [:]]], at: ["spec", "rules"]) }), "*")
    }

    func testIngressClass() {
        let classes = IngressClassStrategy()
        let good = json("""
        {"apiVersion":"networking.k8s.io/v1","kind":"IngressClass","metadata":{"name":"nginx"},
         "spec":{"controller":"k8s.io/ingress-nginx","parameters":{"apiGroup":"k8s.example.com","kind":"Params","name":"p"}}}
        """)
        let (o, errors) = create(classes, good)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "spec", "parameters", "scope"], "Cluster")
        XCTAssertEqual(Array(IngressClassTable.cells(o, now: Date()).prefix(3)), ["nginx", "k8s.io/ingress-nginx", "Params.k8s.example.com/p"])
        XCTAssertEqual(create(classes, modified(good) { $0.setValue("nginx", at: ["spec", "controller"]) }).errors,
                       ["spec.controller: Invalid value: \"nginx\": must be a domain-prefixed path (such as \"acme.io/foo\")"])
        XCTAssertEqual(create(classes, modified(good) { $0.setValue("Namespace", at: ["spec", "parameters", "scope"]) }).errors,
                       ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"])
        let changed = update(classes, modified(o) { $0.setValue("example.com/other", at: ["spec", "controller"]) }, old: o).errors
        XCTAssertEqual(changed, ["spec.controller: Invalid value: \"example.com/other\": field is immutable"])
    }
}
