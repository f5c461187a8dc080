@testable import APIServer
import XCTest

final class RequestInfoTests: XCTestCase {
    func testNamespacedResourcePaths() {
        let info = RequestInfo(method: "GET", path: "/api/v1/namespaces/default/pods/web-0/status", isWatch: false)!
        XCTAssertEqual(info.verb, "get")
        XCTAssertEqual(info.group, "")
        XCTAssertEqual(info.version, "v1")
        XCTAssertEqual(info.namespace, "default")
        XCTAssertEqual(info.resource, "pods")
        XCTAssertEqual(info.name, "web-0")
        XCTAssertEqual(info.subresource, "status")
    }

    func testGroupsVerbsAndWatch() {
        XCTAssertEqual(RequestInfo(method: "GET", path: "/apis/apps/v1/statefulsets", isWatch: false)?.verb, "list")
        XCTAssertEqual(RequestInfo(method: "GET", path: "/apis/apps/v1/statefulsets", isWatch: true)?.verb, "watch")
        XCTAssertEqual(RequestInfo(method: "GET", path: "/api/v1/watch/namespaces/x/pods", isWatch: false)?.verb, "watch")
        XCTAssertEqual(RequestInfo(method: "DELETE", path: "/api/v1/namespaces/x/pods", isWatch: false)?.verb, "deletecollection")
        XCTAssertEqual(RequestInfo(method: "DELETE", path: "/api/v1/namespaces/x/pods/p", isWatch: false)?.verb, "delete")
        XCTAssertEqual(RequestInfo(method: "PATCH", path: "/apis/apps/v1/namespaces/x/statefulsets/s/scale", isWatch: false)?.subresource, "scale")
        XCTAssertEqual(RequestInfo(method: "POST", path: "/apis/apps/v1/namespaces/x/statefulsets", isWatch: false)?.group, "apps")
    }

    func testNamespacesAreAResourceWithTheirOwnSubresources() {
        let ns = RequestInfo(method: "GET", path: "/api/v1/namespaces/default", isWatch: false)!
        XCTAssertEqual(ns.resource, "namespaces")
        XCTAssertEqual(ns.name, "default")
        let finalize = RequestInfo(method: "PUT", path: "/api/v1/namespaces/default/finalize", isWatch: false)!
        XCTAssertEqual(finalize.resource, "namespaces")
        XCTAssertEqual(finalize.subresource, "finalize")
    }

    func testNonResourcePaths() {
        XCTAssertNil(RequestInfo(method: "GET", path: "/api", isWatch: false))
        XCTAssertNil(RequestInfo(method: "GET", path: "/apis/apps", isWatch: false))
        XCTAssertNil(RequestInfo(method: "GET", path: "/healthz", isWatch: false))
    }
}

final class NegotiationTests: XCTestCase {
    func testKubectlAcceptHeaders() throws {
        XCTAssertEqual(try ResponseFormat.negotiate("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", allowTable: true), .table(version: "v1"))
        XCTAssertEqual(try ResponseFormat.negotiate("application/json;as=Table;v=v1;g=meta.k8s.io,application/json", allowTable: false), .json)
        XCTAssertEqual(try ResponseFormat.negotiate("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", allowTable: false, allowDiscovery: true), .discovery(version: "v2"))
        XCTAssertEqual(try ResponseFormat.negotiate(nil, allowTable: true), .json)
        XCTAssertEqual(try ResponseFormat.negotiate("application/yaml", allowTable: true), .yaml)
        XCTAssertEqual(try ResponseFormat.negotiate("application/vnd.kubernetes.protobuf, */*", allowTable: true), .json)
        XCTAssertThrowsError(try ResponseFormat.negotiate("application/vnd.kubernetes.protobuf", allowTable: true)) { error in
            XCTAssertEqual((error as? APIMachinery.APIError)?.code, 406)
        }
    }
}
import APIMachinery
