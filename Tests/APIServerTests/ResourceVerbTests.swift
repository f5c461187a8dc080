import APIMachinery
import XCTest

final class ResourceVerbTests: XCTestCase {
    func testCreateGetListUpdateDeleteConfigMap() throws {
        let api = try InProcessAPI()
        let created = api.call("POST", "/api/v1/namespaces/default/configmaps", body: InProcessAPI.configMap("a"))
        XCTAssertEqual(created.status, 201, created.text)
        let uid = created.json[path: "metadata", "uid"]?.stringValue ?? ""
        XCTAssertEqual(uid.count, 36)
        XCTAssertEqual(created.json[path: "metadata", "creationTimestamp"], "2023-11-14T22:13:20Z")
        XCTAssertEqual(created.json[path: "metadata", "namespace"], "default")
        let rv = created.json[path: "metadata", "resourceVersion"]?.stringValue ?? ""

        let got = api.call("GET", "/api/v1/namespaces/default/configmaps/a")
        XCTAssertEqual(got.status, 200)
        XCTAssertEqual(got.json, created.json)

        let list = api.call("GET", "/api/v1/configmaps")
        XCTAssertEqual(list.json["kind"], "ConfigMapList")
        XCTAssertEqual(list.json["items"]?.arrayValue?.count, 1)

        var changed = created.json
        changed["data"] = ["k": "w"]
        let updated = api.call("PUT", "/api/v1/namespaces/default/configmaps/a", body: changed)
        XCTAssertEqual(updated.status, 200, updated.text)
        XCTAssertEqual(updated.json[path: "data", "k"], "w")
        XCTAssertNotEqual(updated.json[path: "metadata", "resourceVersion"]?.stringValue, rv)

        // The same body again carries a stale resourceVersion now.
        let stale = api.call("PUT", "/api/v1/namespaces/default/configmaps/a", body: changed)
        XCTAssertEqual(stale.status, 409)
        XCTAssertEqual(stale.json["reason"], "Conflict")
        XCTAssertEqual(stale.json["message"], #"Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again"#)

        let deleted = api.call("DELETE", "/api/v1/namespaces/default/configmaps/a")
        XCTAssertEqual(deleted.status, 200)
        XCTAssertEqual(deleted.json["status"], "Success")
        XCTAssertEqual(deleted.json[path: "details", "uid"], .string(uid))
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/configmaps/a").status, 404)
    }

    func testAlreadyExistsAndNamespaceChecks() throws {
        let api = try InProcessAPI()
        XCTAssertEqual(api.call("POST", "/api/v1/namespaces/default/configmaps", body: InProcessAPI.configMap("a")).status, 201)
        let again = api.call("POST", "/api/v1/namespaces/default/configmaps", body: InProcessAPI.configMap("a"))
        XCTAssertEqual(again.status, 409)
        XCTAssertEqual(again.json["reason"], "AlreadyExists")
        let missing = api.call("POST", "/api/v1/namespaces/nope/configmaps", body: InProcessAPI.configMap("a"))
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.json["message"], #"namespaces "nope" not found"#)
        let mismatch = api.call("POST", "/api/v1/namespaces/default/configmaps", body: InProcessAPI.configMap("b", namespace: "kube-system"))
        XCTAssertEqual(mismatch.status, 400)
        XCTAssertEqual(mismatch.json["message"], "the namespace of the provided object does not match the namespace sent on the request")
    }

    func testGenerateNameAndDryRun() throws {
        let api = try InProcessAPI()
        let body: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "cfg-"]]
        let created = api.call("POST", "/api/v1/namespaces/default/configmaps", body: body)
        let name = created.json[path: "metadata", "name"]?.stringValue ?? ""
        XCTAssertTrue(name.hasPrefix("cfg-") && name.count == 9, name)
        let dry = api.call("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", body: InProcessAPI.configMap("dry"))
        XCTAssertEqual(dry.status, 201)
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/configmaps/dry").status, 404)
        let badDry = api.call("POST", "/api/v1/namespaces/default/configmaps?dryRun=Some", body: InProcessAPI.configMap("x"))
        XCTAssertEqual(badDry.status, 422)
    }

    func testDeleteWithFinalizersMarksThenClearingRemoves() throws {
        let api = try InProcessAPI()
        var body = InProcessAPI.configMap("f")
        body[path: "metadata", "finalizers"] = ["example.com/hold"]
        XCTAssertEqual(api.call("POST", "/api/v1/namespaces/default/configmaps", body: body).status, 201)
        let marked = api.call("DELETE", "/api/v1/namespaces/default/configmaps/f")
        XCTAssertEqual(marked.status, 200)
        XCTAssertNotNil(marked.json[path: "metadata", "deletionTimestamp"])
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/configmaps/f").status, 200)
        let cleared = api.call("PATCH", "/api/v1/namespaces/default/configmaps/f", body: ["metadata": ["finalizers": nil]],
                               contentType: "application/merge-patch+json")
        XCTAssertEqual(cleared.status, 200, cleared.text)
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/configmaps/f").status, 404)
    }

    func testDeletePreconditions() throws {
        let api = try InProcessAPI()
        XCTAssertEqual(api.call("POST", "/api/v1/namespaces/default/configmaps", body: InProcessAPI.configMap("p")).status, 201)
        let conflict = api.call("DELETE", "/api/v1/namespaces/default/configmaps/p",
                                body: ["kind": "DeleteOptions", "apiVersion": "v1", "preconditions": ["uid": "nope"]])
        XCTAssertEqual(conflict.status, 409)
        XCTAssertTrue(conflict.json["message"]?.stringValue?.contains("Precondition failed: UID in precondition: nope") ?? false, conflict.text)
    }

    func testStatefulSetDefaultsGenerationStatusAndScale() throws {
        let api = try InProcessAPI()
        let created = api.call("POST", "/apis/apps/v1/namespaces/default/statefulsets", body: InProcessAPI.statefulSet)
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created.json[path: "metadata", "generation"], 1)
        XCTAssertEqual(created.json[path: "spec", "podManagementPolicy"], "OrderedReady")
        XCTAssertEqual(created.json[path: "spec", "revisionHistoryLimit"], 10)

        let scale = api.call("GET", "/apis/apps/v1/namespaces/default/statefulsets/redis-sts/scale")
        XCTAssertEqual(scale.json["kind"], "Scale")
        XCTAssertEqual(scale.json[path: "spec", "replicas"], 2)
        XCTAssertEqual(scale.json[path: "status", "selector"], "app=redis-sts")

        var newScale = scale.json
        newScale[path: "spec", "replicas"] = 5
        let scaled = api.call("PUT", "/apis/apps/v1/namespaces/default/statefulsets/redis-sts/scale", body: newScale)
        XCTAssertEqual(scaled.status, 200, scaled.text)
        let after = api.call("GET", "/apis/apps/v1/namespaces/default/statefulsets/redis-sts")
        XCTAssertEqual(after.json[path: "spec", "replicas"], 5)
        XCTAssertEqual(after.json[path: "metadata", "generation"], 2)

        var negative = scaled.json
        negative[path: "spec", "replicas"] = -1
        negative[path: "metadata", "resourceVersion"] = nil
        let invalid = api.call("PUT", "/apis/apps/v1/namespaces/default/statefulsets/redis-sts/scale", body: negative)
        XCTAssertEqual(invalid.status, 422)

        // The status endpoint changes status only; the main endpoint keeps status.
        var withStatus = after.json
        withStatus["status"] = ["replicas": 5, "readyReplicas": 3]
        withStatus[path: "spec", "replicas"] = 9
        let status = api.call("PUT", "/apis/apps/v1/namespaces/default/statefulsets/redis-sts/status", body: withStatus)
        XCTAssertEqual(status.status, 200, status.text)
        XCTAssertEqual(status.json[path: "status", "readyReplicas"], 3)
        XCTAssertEqual(status.json[path: "spec", "replicas"], 5)
        XCTAssertEqual(status.json[path: "metadata", "generation"], 2)
    }

    func testStrictFieldValidationAndWarnings() throws {
        let api = try InProcessAPI()
        var body = InProcessAPI.statefulSet
        body[path: "spec", "replcas"] = 3
        let strict = api.call("POST", "/apis/apps/v1/namespaces/default/statefulsets?fieldValidation=Strict", body: body)
        XCTAssertEqual(strict.status, 400)
        XCTAssertEqual(strict.json["message"], #"StatefulSet in version "v1" cannot be handled as a StatefulSet: strict decoding error: unknown field "spec.replcas""#)
        let warn = api.call("POST", "/apis/apps/v1/namespaces/default/statefulsets", body: body)
        XCTAssertEqual(warn.status, 201)
        XCTAssertTrue(warn.headers.contains { $0.name == "Warning" && $0.value.contains("spec.replcas") }, "\(warn.headerValues)")
        XCTAssertNil(warn.json[path: "spec", "replcas"])
    }
}

final class ConcurrentPatchTests: XCTestCase {
    /// Patches that do not pin a resourceVersion are re-applied to the newer object on a conflict,
    /// as upstream's GuaranteedUpdate does, so concurrent patchers never see 409.
    func testConcurrentUnpinnedPatchesAllSucceed() throws {
        let api = try InProcessAPI()
        XCTAssertEqual(api.call("POST", "/api/v1/namespaces/default/configmaps", body: InProcessAPI.configMap("c")).status, 201)
        let codes = ResultCollector()
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            let r = api.call("PATCH", "/api/v1/namespaces/default/configmaps/c", body: ["data": [.init(stringLiteral: "k\(i)"): "v"]],
                             contentType: "application/merge-patch+json")
            codes.add(r.status)
        }
        XCTAssertEqual(codes.all.filter { $0 != 200 }, [])
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/configmaps/c").json["data"]?.objectValue?.count, 201)
    }

    func testPinnedResourceVersionInAPatchConflicts() throws {
        let api = try InProcessAPI()
        let created = api.call("POST", "/api/v1/namespaces/default/configmaps", body: InProcessAPI.configMap("c"))
        let rv = created.json[path: "metadata", "resourceVersion"]!
        XCTAssertEqual(api.call("PATCH", "/api/v1/namespaces/default/configmaps/c", body: ["data": ["x": "1"]], contentType: "application/merge-patch+json").status, 200)
        let stale = api.call("PATCH", "/api/v1/namespaces/default/configmaps/c", body: ["metadata": ["resourceVersion": rv], "data": ["y": "1"]],
                             contentType: "application/merge-patch+json")
        XCTAssertEqual(stale.status, 409)
    }
}

final class ResultCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func add(_ v: Int) { lock.lock(); values.append(v); lock.unlock() }
    var all: [Int] { lock.lock(); defer { lock.unlock() }; return values }
}
