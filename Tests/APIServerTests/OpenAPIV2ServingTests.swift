import APIMachinery
import HTTPServer
import XCTest

/// `/openapi/v2` as kube-openapi's handler serves it: JSON or gnostic protobuf by Accept, ETags,
/// 304 on a matching If-None-Match, 406 (a Status) for anything else.
final class OpenAPIV2ServingTests: XCTestCase {
    static let protobuf = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
    /// One server for the class: building the document takes a second in a debug build.
    nonisolated(unsafe) static let shared = try! InProcessAPI()
    var api: InProcessAPI { Self.shared }

    private func get(_ headers: [(name: String, value: String)]) -> HTTPResponse {
        api.server.handle(HTTPRequest(method: "GET", path: "/openapi/v2", query: [], headers: headers, body: [])).received()
    }

    private func header(_ response: HTTPResponse, _ name: String) -> String? {
        response.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func testJSONIsTheDefaultAndNamesEveryServedKind() throws {
        let response = get([])
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(header(response, "Content-Type"), "application/json")
        let document = try JSONParser.parse(response.bodyBytes).value
        XCTAssertEqual(document[path: "swagger"], "2.0")
        XCTAssertEqual(document[path: "definitions", "io.k8s.api.core.v1.Pod", "x-kubernetes-group-version-kind"],
                       [["group": "", "kind": "Pod", "version": "v1"]])
        XCTAssertNotNil(document[path: "definitions", "io.k8s.api.apps.v1.Deployment"])
        XCTAssertNotNil(document[path: "paths", "/apis/batch/v1/namespaces/{namespace}/jobs/{name}", "get"])
    }

    func testProtobufByAcceptWithItsOwnETagAndNotModified() throws {
        let json = get([("Accept", "application/json")])
        let proto = get([("Accept", "\(Self.protobuf), application/json;q=0.5")])
        XCTAssertEqual(proto.status, 200)
        XCTAssertEqual(header(proto, "Content-Type"), "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
        XCTAssertEqual(proto.bodyBytes.prefix(5), [0x0a, 0x03] + Array("2.0".utf8), "field 1 (swagger) first")
        let etag = try XCTUnwrap(header(proto, "Etag"))
        XCTAssertTrue(etag.hasPrefix("\"") && etag.count == 130, etag)
        XCTAssertNotEqual(etag, header(json, "Etag"))
        XCTAssertEqual(get([("Accept", Self.protobuf), ("If-None-Match", etag)]).status, 304)
        XCTAssertEqual(get([("Accept", Self.protobuf), ("If-None-Match", "\"other\"")]).status, 200)
        // q orders the choice: JSON preferred here.
        XCTAssertEqual(header(get([("Accept", "\(Self.protobuf);q=0.2, application/json")]), "Content-Type"), "application/json")
    }

    func testUnacceptableTypesGetA406Status() throws {
        let response = get([("Accept", "text/html")])
        XCTAssertEqual(response.status, 406)
        let status = try JSONParser.parse(response.bodyBytes).value
        XCTAssertEqual(status[path: "reason"], "NotAcceptable")
        XCTAssertEqual(status[path: "kind"], "Status")
        let post = api.call("POST", "/openapi/v2", body: [:])
        XCTAssertEqual(post.status, 405)
    }
}
