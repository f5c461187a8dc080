import APIMachinery
import APIServer
import Foundation
import KubeliteTesting
import XCTest

/// Custom resources through the API server: a CRD created over HTTP is served in discovery,
/// OpenAPI and every verb, with its printer columns in Table output, its field selectors, strict
/// field validation of metadata, and cluster scope.
final class CustomResourceAPITests: XCTestCase {
    static let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    static let widgets = "/apis/example.com/v1/namespaces/default/widgets"
    static let table = "application/json;as=Table;v=v1;g=meta.k8s.io"

    static func definition(scope: String = "Namespaced", plural: String = "widgets", kind: String = "Widget") -> JSON {
        [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(plural).example.com")],
            "spec": [
                "group": "example.com", "scope": .string(scope),
                "names": ["plural": .string(plural), "kind": .string(kind)],
                "versions": [[
                    "name": "v1", "served": true, "storage": true,
                    "additionalPrinterColumns": [["name": "Color", "type": "string", "jsonPath": ".spec.color"]],
                    "selectableFields": [["jsonPath": ".spec.color"]],
                    "schema": ["openAPIV3Schema": ["type": "object", "properties": [
                        "spec": ["type": "object", "description": "The spec.", "properties": ["color": ["type": "string"]]]]]],
                ]],
            ],
        ]
    }

    static func widget(_ name: String, color: String = "blue") -> JSON {
        ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": .string(name)], "spec": ["color": .string(color)]]
    }

    func served(_ api: InProcessAPI, _ crd: JSON = definition()) {
        let created = api.call("POST", Self.crds, body: crd)
        XCTAssertEqual(created.status, 201, created.text)
        waitUntil("the custom resource to be served") { api.call("GET", "/apis/example.com/v1").status == 200 }
    }

    func testDiscoveryListsTheEstablishedResource() throws {
        let api = try InProcessAPI()
        XCTAssertEqual(api.call("GET", "/apis/example.com").status, 404)
        served(api)
        let resources = api.call("GET", "/apis/example.com/v1").json["resources"]?.arrayValue ?? []
        XCTAssertEqual(resources.first?["name"], "widgets")
        XCTAssertEqual(resources.first?["singularName"], "widget")
        XCTAssertEqual(resources.first?["kind"], "Widget")
        let groups = api.call("GET", "/apis").json["groups"]?.arrayValue ?? []
        XCTAssertTrue(groups.contains { $0["name"] == "example.com" })
        let index = api.call("GET", "/openapi/v3").json["paths"]?["apis/example.com/v1"]?["serverRelativeURL"]?.stringValue ?? ""
        XCTAssertTrue(index.hasPrefix("/openapi/v3/apis/example.com/v1?hash="), index)
        let document = api.call("GET", "/openapi/v3/apis/example.com/v1").json
        XCTAssertEqual(document[path: "components", "schemas", "com.example.v1.Widget", "properties", "spec", "description"], "The spec.")
    }

    func testVerbsTableAndSelectors() throws {
        let api = try InProcessAPI()
        served(api)
        XCTAssertEqual(api.call("POST", Self.widgets, body: Self.widget("a")).status, 201)
        XCTAssertEqual(api.call("POST", Self.widgets, body: Self.widget("b", color: "red")).status, 201)
        XCTAssertEqual(api.call("POST", Self.widgets, body: Self.widget("a")).status, 409)

        let table = api.call("GET", Self.widgets, accept: Self.table).json
        XCTAssertEqual(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue }, ["Name", "Color"])
        XCTAssertEqual(table["rows"]?.arrayValue?.map { $0["cells"] }, [["a", "blue"], ["b", "red"]])

        let red = api.call("GET", Self.widgets + "?fieldSelector=spec.color%3Dred").json["items"]?.arrayValue ?? []
        XCTAssertEqual(red.compactMap { $0[path: "metadata", "name"]?.stringValue }, ["b"])
        XCTAssertEqual(api.call("GET", Self.widgets + "?fieldSelector=spec.size%3D1").status, 400)

        let patched = api.call("PATCH", Self.widgets + "/a", body: ["spec": ["color": "green"]], contentType: "application/merge-patch+json")
        XCTAssertEqual(patched.json[path: "spec", "color"], "green")
        XCTAssertEqual(patched.json[path: "metadata", "generation"], 2)
        let strategic = api.call("PATCH", Self.widgets + "/a", body: ["spec": ["color": "x"]], contentType: "application/strategic-merge-patch+json")
        XCTAssertEqual(strategic.status, 415)
        XCTAssertEqual(api.call("DELETE", Self.widgets + "/a").status, 200)
        XCTAssertEqual(api.call("GET", Self.widgets + "/a").status, 404)
    }

    func testStrictFieldValidationReportsUnknownMetadata() throws {
        let api = try InProcessAPI()
        served(api)
        var body = Self.widget("a")
        body[path: "metadata", "colour"] = "blue"
        let strict = api.call("POST", Self.widgets + "?fieldValidation=Strict", body: body)
        XCTAssertEqual(strict.status, 400)
        XCTAssertEqual(strict.json["message"], #"Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "metadata.colour""#)
        let warned = api.call("POST", Self.widgets + "?fieldValidation=Warn", body: body)
        XCTAssertEqual(warned.status, 201)
        XCTAssertEqual(warned.header("Warning"), #"299 - "unknown field \"metadata.colour\"""#)
    }

    func testClusterScopedCustomResource() throws {
        let api = try InProcessAPI()
        served(api, Self.definition(scope: "Cluster"))
        var body = Self.widget("global")
        body[path: "metadata", "namespace"] = "default"
        let created = api.call("POST", "/apis/example.com/v1/widgets", body: body)
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertNil(created.json[path: "metadata", "namespace"])
        XCTAssertEqual(api.call("GET", "/apis/example.com/v1/widgets/global").status, 200)
        XCTAssertEqual(api.call("GET", Self.widgets).status, 404)
    }

    func testSeveralVersionsServeTheSameObjects() throws {
        let api = try InProcessAPI()
        var crd = Self.definition()
        var beta = crd[path: "spec", "versions"]!.arrayValue![0]
        beta["name"] = "v1beta1"
        beta["storage"] = false
        crd[path: "spec", "versions"] = .array([beta] + crd[path: "spec", "versions"]!.arrayValue!)
        served(api, crd)
        XCTAssertEqual(api.call("GET", "/apis/example.com").json["preferredVersion"]?["version"], "v1")
        var body = Self.widget("a")
        body["apiVersion"] = "example.com/v1beta1"
        let created = api.call("POST", "/apis/example.com/v1beta1/namespaces/default/widgets", body: body)
        XCTAssertEqual(created.json["apiVersion"], "example.com/v1beta1", created.text)
        XCTAssertEqual(api.call("GET", Self.widgets + "/a").json["apiVersion"], "example.com/v1")
        let items = api.call("GET", "/apis/example.com/v1beta1/namespaces/default/widgets").json["items"]?.arrayValue ?? []
        XCTAssertEqual(items.map { $0["apiVersion"] }, ["example.com/v1beta1"])
    }

    func testWebhookConversionIsAcceptedButUnavailable() throws {
        let api = try InProcessAPI()
        var crd = Self.definition()
        var beta = crd[path: "spec", "versions"]!.arrayValue![0]
        beta["name"] = "v1beta1"
        beta["storage"] = false
        crd[path: "spec", "versions"] = .array([beta] + crd[path: "spec", "versions"]!.arrayValue!)
        crd[path: "spec", "conversion"] = ["strategy": "Webhook", "webhook": [
            "conversionReviewVersions": ["v1"], "clientConfig": ["url": "https://converter.example.com/convert"]]]
        served(api, crd)
        XCTAssertEqual(api.call("GET", Self.widgets).status, 200)
        let beta1 = api.call("GET", "/apis/example.com/v1beta1/namespaces/default/widgets")
        XCTAssertEqual(beta1.status, 503)
        XCTAssertEqual(beta1.json["reason"], "ServiceUnavailable")
    }

    /// The CRD's structural schema on the write path: unknown fields pruned (or refused under
    /// Strict), defaults applied, values validated with upstream's 422 causes, CEL rules enforced.
    func testSchemaPrunesDefaultsAndValidates() throws {
        let api = try InProcessAPI()
        var crd = Self.definition()
        crd[path: "spec", "versions"] = [[
            "name": "v1", "served": true, "storage": true,
            "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": [
                "type": "object",
                "properties": ["color": ["type": "string", "enum": ["blue", "green"], "default": "blue"],
                               "size": ["type": "integer", "minimum": 1, "maximum": 10]],
                "x-kubernetes-validations": [["rule": "self.size != 7", "message": "seven is unlucky"]],
            ]]]],
        ]]
        XCTAssertEqual(api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: crd).status, 201)
        waitUntil("served") { api.call("GET", Self.widgets).status == 200 }
        let body: JSON = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "a"], "spec": ["size": 3, "shape": "round"]]
        let created = api.call("POST", Self.widgets, body: body)
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(created.json[path: "spec", "color"], "blue", "defaulted")
        XCTAssertEqual(created.json[path: "spec", "size"], 3)
        XCTAssertNil(created.json[path: "spec", "shape"], "pruned")
        XCTAssertEqual(api.call("POST", Self.widgets + "?fieldValidation=Strict", body: body).json[path: "message"],
                       #"Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.shape""#)
        var bad = body
        bad[path: "metadata", "name"] = "b"
        bad["spec"] = ["size": 11, "color": "red"]
        let invalid = api.call("POST", Self.widgets, body: bad)
        XCTAssertEqual(invalid.status, 422)
        XCTAssertEqual(invalid.json[path: "reason"], "Invalid")
        let messages = (invalid.json[path: "details", "causes"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue }
        XCTAssertTrue(messages.contains(#"Unsupported value: "red": supported values: "blue", "green""#), "\(messages)")
        XCTAssertTrue(messages.contains { $0.contains("should be less than or equal to 10") }, "\(messages)")
        bad["spec"] = ["size": 7]
        let rule = api.call("POST", Self.widgets, body: bad)
        XCTAssertEqual(rule.status, 422)
        XCTAssertTrue(rule.json[path: "message"]?.stringValue?.contains("seven is unlucky") == true, "\(rule.json)")
    }

    /// Server-side apply of a custom object follows its schema's list types: two managers applying
    /// different items of a `map` list keyed by name each own theirs, and both stay.
    func testApplyMergesMapListsByTheirKeys() throws {
        let api = try InProcessAPI()
        var crd = Self.definition()
        crd[path: "spec", "versions"] = [[
            "name": "v1", "served": true, "storage": true,
            "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": ["type": "object", "properties": [
                "ports": ["type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                          "items": ["type": "object", "required": ["name"],
                                    "properties": ["name": ["type": "string"], "port": ["type": "integer"]]]],
            ]]]]],
        ]]
        XCTAssertEqual(api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: crd).status, 201)
        waitUntil("served") { api.call("GET", Self.widgets).status == 200 }
        func apply(_ manager: String, _ port: JSON) -> InProcessAPI.Response {
            let config: JSON = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": ["ports": [port]]]
            return api.call("PATCH", Self.widgets + "/w?fieldManager=\(manager)", body: config, contentType: "application/apply-patch+yaml")
        }
        XCTAssertEqual(apply("one", ["name": "http", "port": 80]).status, 201)
        let second = apply("two", ["name": "https", "port": 443])
        XCTAssertEqual(second.status, 200, "\(second.json)")
        XCTAssertEqual(second.json[path: "spec", "ports"]?.arrayValue?.compactMap { $0["name"]?.stringValue }, ["http", "https"])
        let conflict = apply("two", ["name": "http", "port": 8080])
        XCTAssertEqual(conflict.status, 409)
        XCTAssertTrue(conflict.json[path: "message"]?.stringValue?.contains(#".spec.ports[name="http"].port"#) == true, "\(conflict.json)")
    }
}
