import APIMachinery
import XCTest

/// `PATCH` with `application/apply-patch+yaml` and managedFields through the API, in process.
final class ServerSideApplyTests: XCTestCase {
    let path = "/api/v1/namespaces/default/configmaps/cfg"
    let applyType = "application/apply-patch+yaml"

    func yaml(_ data: [String: String]) -> [UInt8] {
        var text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n"
        for (k, v) in data.sorted(by: { $0.key < $1.key }) { text += "  \(k): \"\(v)\"\n" }
        return Array(text.utf8)
    }

    func testApplyCreatesThenIsANoOpThenConflicts() throws {
        let api = try InProcessAPI()
        let created = api.call("PATCH", path + "?fieldManager=tool", raw: yaml(["a": "1"]), contentType: applyType)
        XCTAssertEqual(created.status, 201, created.text)
        let entries = created.json[path: "metadata", "managedFields"]?.arrayValue ?? []
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries.first?["manager"], "tool")
        XCTAssertEqual(entries.first?["operation"], "Apply")
        XCTAssertEqual(entries.first?["fieldsType"], "FieldsV1")
        XCTAssertEqual(entries.first?["fieldsV1"], try JSONParser.parse(#"{"f:data":{"f:a":{}}}"#).value)
        let version = created.json[path: "metadata", "resourceVersion"]

        let again = api.call("PATCH", path + "?fieldManager=tool", raw: yaml(["a": "1"]), contentType: applyType)
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again.json[path: "metadata", "resourceVersion"], version, "a repeated apply stores nothing")

        let conflict = api.call("PATCH", path + "?fieldManager=other", raw: yaml(["a": "2"]), contentType: applyType)
        XCTAssertEqual(conflict.status, 409)
        XCTAssertEqual(conflict.json["reason"], "Conflict")
        XCTAssertEqual(conflict.json["message"], #"Apply failed with 1 conflict: conflict with "tool": .data.a"#)
        XCTAssertEqual(conflict.json[path: "details", "causes"]?.arrayValue?.first?["reason"], "FieldManagerConflict")
        XCTAssertEqual(conflict.json[path: "details", "causes"]?.arrayValue?.first?["field"], ".data.a")

        let forced = api.call("PATCH", path + "?fieldManager=other&force=true", raw: yaml(["a": "2"]), contentType: applyType)
        XCTAssertEqual(forced.status, 200, forced.text)
        XCTAssertEqual(forced.json[path: "data", "a"], "2")
        let managers = forced.json[path: "metadata", "managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue }
        XCTAssertEqual(managers, ["other"], "the forced manager took the only field the first one had")
    }

    func testApplyAcceptsJSONBodyAndPrunesDroppedFields() throws {
        let api = try InProcessAPI()
        let body = InProcessAPI.configMap("cfg", data: ["a": "1", "b": "2"])
        XCTAssertEqual(api.call("PATCH", path + "?fieldManager=tool", body: body, contentType: applyType).status, 201)
        let pruned = api.call("PATCH", path + "?fieldManager=tool", raw: yaml(["a": "1"]), contentType: applyType)
        XCTAssertEqual(pruned.json["data"], ["a": "1"])
    }

    func testApplyOptionsAreValidatedAsUpstream() throws {
        let api = try InProcessAPI()
        let missing = api.call("PATCH", path, raw: yaml(["a": "1"]), contentType: applyType)
        XCTAssertEqual(missing.status, 422)
        XCTAssertEqual(missing.json["message"], #"PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch"#)
        api.call("POST", "/api/v1/namespaces/default/configmaps", body: InProcessAPI.configMap("cfg"))
        let force = api.call("PATCH", path + "?force=true", body: ["data": ["k": "w"]], contentType: "application/merge-patch+json")
        XCTAssertEqual(force.status, 422)
        XCTAssertEqual(force.json["message"], #"PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch"#)
        let cbor = api.call("PATCH", path + "?fieldManager=tool", raw: [0xa0], contentType: "application/apply-patch+cbor")
        XCTAssertEqual(cbor.status, 415)
        let wrongKind = api.call("PATCH", path + "?fieldManager=tool", raw: Array("apiVersion: v1\nkind: Secret\nmetadata:\n  name: cfg\n".utf8), contentType: applyType)
        XCTAssertEqual(wrongKind.status, 400)
        XCTAssertEqual(wrongKind.json["message"], "invalid object type: /v1, Kind=Secret")
    }

    func testEveryWriteRecordsAnUpdateEntry() throws {
        let api = try InProcessAPI()
        let created = api.call("POST", "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create", body: InProcessAPI.configMap("cfg"))
        let entry = created.json[path: "metadata", "managedFields"]?.arrayValue?.first
        XCTAssertEqual(entry?["manager"], "kubectl-create")
        XCTAssertEqual(entry?["operation"], "Update")
        XCTAssertEqual(entry?["apiVersion"], "v1")
        XCTAssertNotNil(entry?["time"])
        XCTAssertEqual(entry?["fieldsV1"], try JSONParser.parse(#"{"f:data":{".":{},"f:k":{}}}"#).value)

        let patched = api.call("PATCH", path + "?fieldManager=kubectl-edit", body: ["data": ["k": "w"]], contentType: "application/merge-patch+json")
        let managers = patched.json[path: "metadata", "managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue }
        XCTAssertEqual(managers, ["kubectl-create", "kubectl-edit"])

        // Without a fieldManager the User-Agent's product names the manager; the test client sends none.
        var put = patched.json
        put["data"] = ["k": "x"]
        let replaced = api.call("PUT", path, body: put)
        XCTAssertEqual(replaced.status, 200, replaced.text)
        // Invalid managedFields in a request leave the stored ones in place.
        put = replaced.json
        put[path: "metadata", "managedFields"] = [["manager": "x", "operation": "Update", "fieldsType": "FieldsV9"]]
        put["data"] = ["k": "y"]
        let kept = api.call("PUT", path + "?fieldManager=writer", body: put)
        XCTAssertEqual(kept.status, 200, kept.text)
        XCTAssertTrue(kept.json[path: "metadata", "managedFields"]?.arrayValue?.contains { $0["manager"] == "writer" } ?? false)
    }

    func testStatusWritesRecordTheSubresource() throws {
        let api = try InProcessAPI()
        api.call("POST", "/api/v1/namespaces/default/pods", body: try JSONParser.parse(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}}"#).value)
        let patched = api.call("PATCH", "/api/v1/namespaces/default/pods/p/status?fieldManager=kubelet",
                               body: ["status": ["message": "hello"]], contentType: "application/merge-patch+json")
        XCTAssertEqual(patched.status, 200, patched.text)
        let status = patched.json[path: "metadata", "managedFields"]?.arrayValue?.first { $0["manager"] == "kubelet" }
        XCTAssertEqual(status?["subresource"], "status")
        XCTAssertEqual(status?["fieldsV1"], try JSONParser.parse(#"{"f:status":{"f:message":{}}}"#).value)
    }
}
