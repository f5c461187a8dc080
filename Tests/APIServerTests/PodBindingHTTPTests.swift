import APIMachinery
import XCTest

/// pods/binding and graceful pod deletion through the HTTP handlers.
final class PodBindingHTTPTests: XCTestCase {
    static let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web-0"],
                            "spec": ["containers": [["name": "redis", "image": "redis:5-alpine"]]]]

    func testPostBindingThenGracefulDelete() throws {
        let api = try InProcessAPI()
        XCTAssertEqual(api.call("POST", "/api/v1/namespaces/default/pods", body: Self.pod).status, 201)
        let binding: JSON = ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": "web-0"],
                             "target": ["apiVersion": "v1", "kind": "Node", "name": "kubelite-node"]]
        let bound = api.call("POST", "/api/v1/namespaces/default/pods/web-0/binding", body: binding)
        XCTAssertEqual(bound.status, 201, bound.text)
        XCTAssertEqual(bound.json, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201])
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/pods/web-0").json[path: "spec", "nodeName"], "kubelite-node")

        let again = api.call("POST", "/api/v1/namespaces/default/pods/web-0/binding", body: binding)
        XCTAssertEqual(again.status, 409)
        XCTAssertEqual(again.json["message"], "Operation cannot be fulfilled on pods/binding \"web-0\": pod web-0 is already assigned to node \"kubelite-node\"")
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/pods/web-0/binding").status, 405)

        let deleted = api.call("DELETE", "/api/v1/namespaces/default/pods/web-0")
        XCTAssertEqual(deleted.status, 200, deleted.text)
        XCTAssertEqual(deleted.json[path: "metadata", "deletionGracePeriodSeconds"], 30)
        XCTAssertEqual(deleted.json[path: "metadata", "deletionTimestamp"], "2023-11-14T22:13:50Z")
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/pods/web-0").status, 200)
        let forced = api.call("DELETE", "/api/v1/namespaces/default/pods/web-0?gracePeriodSeconds=0")
        XCTAssertEqual(forced.status, 200, forced.text)
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/pods/web-0").status, 404)
    }

    func testDiscoveryListsBindingAsCreateOnly() throws {
        let api = try InProcessAPI()
        let resources = api.call("GET", "/api/v1").json["resources"]?.arrayValue ?? []
        let binding = resources.first { $0["name"] == "pods/binding" }
        XCTAssertEqual(binding?["verbs"], ["create"])
        XCTAssertEqual(binding?["kind"], "Binding")
    }
}
