import APIMachinery
import XCTest

final class NamespaceLifecycleTests: XCTestCase {
    func testSystemNamespacesMayNotBeDeleted() throws {
        let api = try InProcessAPI()
        for name in ["default", "kube-system", "kube-public"] {
            let r = api.call("DELETE", "/api/v1/namespaces/\(name)")
            XCTAssertEqual(r.status, 403)
            XCTAssertEqual(r.json["message"], .string("namespaces \"\(name)\" is forbidden: this namespace may not be deleted"))
        }
    }

    func testDeletingANamespaceDeletesItsContentThenItself() throws {
        let api = try InProcessAPI()
        XCTAssertEqual(api.call("POST", "/api/v1/namespaces", body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "t"]]).status, 201)
        XCTAssertEqual(api.call("POST", "/api/v1/namespaces/t/configmaps", body: InProcessAPI.configMap("a")).status, 201)
        var held = InProcessAPI.configMap("held")
        held[path: "metadata", "finalizers"] = ["example.com/hold"]
        XCTAssertEqual(api.call("POST", "/api/v1/namespaces/t/configmaps", body: held).status, 201)

        let deleted = api.call("DELETE", "/api/v1/namespaces/t")
        XCTAssertEqual(deleted.status, 200)
        XCTAssertEqual(deleted.json[path: "status", "phase"], "Terminating")
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/t/configmaps/a").status, 404)
        // Content held by a finalizer keeps the namespace Terminating, and nothing new may be created in it.
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/t").json[path: "status", "phase"], "Terminating")
        let refused = api.call("POST", "/api/v1/namespaces/t/configmaps", body: InProcessAPI.configMap("new"))
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(refused.json["message"], #"configmaps "new" is forbidden: unable to create new content in namespace t because it is being terminated"#)

        let released = api.call("PATCH", "/api/v1/namespaces/t/configmaps/held", body: ["metadata": ["finalizers": nil]],
                                contentType: "application/merge-patch+json")
        XCTAssertEqual(released.status, 200, released.text)
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/t").status, 404)
    }
}

final class ServiceAllocationTests: XCTestCase {
    static func service(_ name: String, clusterIP: String? = nil) -> JSON {
        var spec: JSONObject = ["selector": ["app": "x"], "ports": [["port": 80]]]
        if let clusterIP { spec["clusterIP"] = .string(clusterIP) }
        return ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)], "spec": .object(spec)]
    }

    func testKubernetesServiceExistsAtStart() throws {
        let api = try InProcessAPI()
        let svc = api.call("GET", "/api/v1/namespaces/default/services/kubernetes")
        XCTAssertEqual(svc.json[path: "spec", "clusterIP"], "10.96.0.1")
    }

    func testClusterIPsAreAllocatedRequestedAndReleased() throws {
        let api = try InProcessAPI()
        let a = api.call("POST", "/api/v1/namespaces/default/services", body: Self.service("a"))
        XCTAssertEqual(a.status, 201, a.text)
        let ip = a.json[path: "spec", "clusterIP"]?.stringValue ?? ""
        XCTAssertTrue(ip.hasPrefix("10.9") || ip.hasPrefix("10.10") || ip.hasPrefix("10.11"), ip)
        XCTAssertEqual(a.json[path: "spec", "clusterIPs"], [.string(ip)])

        let taken = api.call("POST", "/api/v1/namespaces/default/services", body: Self.service("b", clusterIP: ip))
        XCTAssertEqual(taken.status, 422)
        let outside = api.call("POST", "/api/v1/namespaces/default/services", body: Self.service("c", clusterIP: "192.168.0.10"))
        XCTAssertEqual(outside.status, 422)
        XCTAssertTrue(outside.json["message"]?.stringValue?.contains("The range of valid IPs is 10.96.0.0/12") ?? false, outside.text)

        XCTAssertEqual(api.call("DELETE", "/api/v1/namespaces/default/services/a").status, 200)
        let reuse = api.call("POST", "/api/v1/namespaces/default/services", body: Self.service("d", clusterIP: ip))
        XCTAssertEqual(reuse.status, 201, reuse.text)

        let headless = api.call("POST", "/api/v1/namespaces/default/services", body: Self.service("h", clusterIP: "None"))
        XCTAssertEqual(headless.json[path: "spec", "clusterIP"], "None")
    }
}

final class RoutingTests: XCTestCase {
    func testVerbsOnlyOnTheirPaths() throws {
        let api = try InProcessAPI()
        XCTAssertEqual(api.call("PUT", "/api/v1/namespaces/default/configmaps", body: InProcessAPI.configMap("x")).status, 405)
        XCTAssertEqual(api.call("POST", "/api/v1/namespaces/default/configmaps/x", body: InProcessAPI.configMap("x")).status, 405)
        XCTAssertEqual(api.call("POST", "/api/v1/configmaps", body: InProcessAPI.configMap("x")).status, 405)
        XCTAssertEqual(api.call("DELETE", "/api/v1/namespaces").status, 405)
        XCTAssertEqual(api.call("GET", "/api/v1/nonsense").status, 404)
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/configmaps/x/nope").status, 404)
        let unknown = api.call("GET", "/not/a/path")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.json["reason"], "NotFound")
    }

    func testUnsupportedMediaTypes() throws {
        let api = try InProcessAPI()
        let r = api.call("POST", "/api/v1/namespaces/default/configmaps", raw: Array("x".utf8), contentType: "text/plain")
        XCTAssertEqual(r.status, 415)
        XCTAssertEqual(r.json["reason"], "UnsupportedMediaType")
        let p = api.call("PATCH", "/api/v1/namespaces/default/configmaps/x", raw: Array("{}".utf8), contentType: "application/json")
        XCTAssertEqual(p.status, 415)
        let n = api.call("GET", "/api/v1/namespaces", accept: "application/vnd.kubernetes.protobuf")
        XCTAssertEqual(n.status, 406)
    }
}
