import APIMachinery
import XCTest

/// Deployments and ReplicaSets through the API server: create with defaults, 422 Invalid with
/// upstream's causes, the immutable selector, the scale subresource, Table columns.
final class DeploymentAPITests: XCTestCase {
    static let path = "/apis/apps/v1/namespaces/default/deployments"
    static let deployment: JSON = [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
        "spec": ["replicas": 2, "selector": ["matchLabels": ["app": "web"]],
                 "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "c", "image": "nginx"]]]]],
    ]

    func testCreateDefaultsAndGeneration() throws {
        let api = try InProcessAPI()
        let created = api.call("POST", Self.path, body: Self.deployment)
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created.json[path: "metadata", "generation"], 1)
        XCTAssertEqual(created.json[path: "spec", "strategy", "rollingUpdate"], ["maxUnavailable": "25%", "maxSurge": "25%"])
        XCTAssertEqual(created.json["status"], [:])
    }

    func testInvalidIs422WithCauses() throws {
        let api = try InProcessAPI()
        var bad = Self.deployment
        bad[path: "spec", "replicas"] = -1
        bad[path: "spec", "strategy"] = ["type": "Blue"]
        let response = api.call("POST", Self.path, body: bad)
        XCTAssertEqual(response.status, 422)
        XCTAssertEqual(response.json["reason"], "Invalid")
        let fields = response.json[path: "details", "causes"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
        XCTAssertEqual(fields, ["spec.replicas", "spec.strategy"])
        XCTAssertEqual(response.json[path: "details", "kind"], "Deployment")
        XCTAssertEqual(response.json[path: "details", "group"], "apps")
    }

    func testSelectorIsImmutable() throws {
        let api = try InProcessAPI()
        var object = api.call("POST", Self.path, body: Self.deployment).json
        object[path: "spec", "selector", "matchLabels", "tier"] = "x"
        object[path: "spec", "template", "metadata", "labels", "tier"] = "x"
        let response = api.call("PUT", Self.path + "/web", body: object)
        XCTAssertEqual(response.status, 422)
        let causes = response.json[path: "details", "causes"]?.arrayValue ?? []
        XCTAssertEqual(causes.first?["field"], "spec.selector")
        XCTAssertTrue((causes.first?["message"]?.stringValue ?? "").hasSuffix("field is immutable"))
    }

    func testScaleSubresource() throws {
        let api = try InProcessAPI()
        api.call("POST", Self.path, body: Self.deployment)
        let scale = api.call("GET", Self.path + "/web/scale")
        XCTAssertEqual(scale.status, 200)
        XCTAssertEqual(scale.json["kind"], "Scale")
        XCTAssertEqual(scale.json[path: "spec", "replicas"], 2)
        XCTAssertEqual(scale.json[path: "status", "selector"], "app=web")
        let patched = api.call("PATCH", Self.path + "/web/scale", body: ["spec": ["replicas": 5]], contentType: "application/merge-patch+json")
        XCTAssertEqual(patched.status, 200, patched.text)
        let after = api.call("GET", Self.path + "/web").json
        XCTAssertEqual(after[path: "spec", "replicas"], 5)
        XCTAssertEqual(after[path: "metadata", "generation"], 2)
    }

    func testReplicaSetTableColumns() throws {
        let api = try InProcessAPI()
        var rs = Self.deployment
        rs["kind"] = "ReplicaSet"
        XCTAssertEqual(api.call("POST", "/apis/apps/v1/namespaces/default/replicasets", body: rs).status, 201)
        let table = api.call("GET", "/apis/apps/v1/namespaces/default/replicasets", accept: "application/json;as=Table;v=v1;g=meta.k8s.io").json
        let names = table["columnDefinitions"]?.arrayValue?.map { $0["name"]?.stringValue ?? "" } ?? []
        XCTAssertEqual(names, ["Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"])
        let cells = table["rows"]?.arrayValue?.first?["cells"]?.arrayValue ?? []
        XCTAssertEqual(Array(cells.prefix(4)), ["web", 2, 0, 0])
    }
}
