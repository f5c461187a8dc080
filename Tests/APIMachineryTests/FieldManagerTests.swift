import XCTest
@testable import APIMachinery

/// Merge, ownership and conflicts over the built-in schemas, as structured-merge-diff decides them.
final class FieldManagerTests: XCTestCase {
    let deployments = FieldManager(types: TypedSchema(schema: OpenAPIFieldTypes.upstream, kind: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")),
                                   apiVersion: "apps/v1", kind: "Deployment", resetFields: .excluding(["status"]))
    let configMaps = FieldManager(types: TypedSchema(schema: OpenAPIFieldTypes.upstream, kind: GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")),
                                  apiVersion: "v1", kind: "ConfigMap")

    func deployment(replicas: Int, image: String = "nginx", extraContainer: Bool = false) -> JSON {
        var containers: [JSON] = [patchJSON(#"{"name":"nginx","image":"\#(image)","ports":[{"containerPort":80}]}"#)]
        if extraContainer { containers.append(patchJSON(#"{"name":"sidecar","image":"busybox"}"#)) }
        var d = patchJSON(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{}}}}"#)
        d[path: "spec", "replicas"] = .int(Int64(replicas))
        d[path: "spec", "template", "spec", "containers"] = .array(containers)
        return d
    }

    func applied(_ result: FieldManager.ApplyResult) -> JSON {
        switch result {
        case .applied(let o), .unchanged(let o): return o
        }
    }

    func entries(_ object: JSON) -> [ManagedFieldsEntry] {
        (try? ManagedFieldsList.decode(object[path: "metadata", "managedFields"])) ?? []
    }

    func testApplyOwnsConfigFieldsWithListKeysAndDefaults() throws {
        let created = applied(try deployments.apply(live: patchJSON(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}"#),
                                                    config: deployment(replicas: 2), manager: "kubectl", force: false, now: "2024-01-01T00:00:00Z"))
        let list = entries(created)
        XCTAssertEqual(list.count, 1)
        XCTAssertEqual(list[0].operation, .apply)
        XCTAssertEqual(list[0].time, "2024-01-01T00:00:00Z")
        let paths = list[0].fields.paths().map(FieldSet.describe)
        XCTAssertTrue(paths.contains(".spec.replicas"))
        // The port's protocol key is filled from the schema default, as upstream keys it.
        XCTAssertTrue(paths.contains(#".spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].containerPort"#), "\(paths)")
        XCTAssertFalse(paths.contains(".metadata.name"), "identity fields are stripped")
    }

    func testReapplyingTheSameConfigChangesNothing() throws {
        let first = applied(try deployments.apply(live: patchJSON(#"{"metadata":{"name":"web"}}"#), config: deployment(replicas: 2),
                                                  manager: "kubectl", force: false, now: "t1"))
        guard case .unchanged(let again) = try deployments.apply(live: first, config: deployment(replicas: 2), manager: "kubectl", force: false, now: "t2") else {
            return XCTFail("a repeated apply must be a no-op")
        }
        XCTAssertEqual(again, first)
    }

    func testConflictWithAnotherManagerNamesFieldAndManager() throws {
        let first = applied(try deployments.apply(live: patchJSON(#"{"metadata":{"name":"web"}}"#), config: deployment(replicas: 2),
                                                  manager: "kubectl", force: false, now: "t1"))
        XCTAssertThrowsError(try deployments.apply(live: first, config: deployment(replicas: 3), manager: "other", force: false, now: "t2")) { error in
            let apiError = error as! APIError
            XCTAssertEqual(apiError.code, 409)
            XCTAssertEqual(apiError.message, #"Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas"#)
            XCTAssertEqual(apiError.details?.causes.first?.reason, "FieldManagerConflict")
            XCTAssertEqual(apiError.details?.causes.first?.field, ".spec.replicas")
        }
        // The same value is no conflict: both own it.
        let shared = applied(try deployments.apply(live: first, config: deployment(replicas: 2), manager: "other", force: false, now: "t2"))
        XCTAssertEqual(entries(shared).filter { $0.fields.contains([.field("spec"), .field("replicas")]) }.count, 2)
        // Forced, the field moves.
        let forced = applied(try deployments.apply(live: first, config: deployment(replicas: 3), manager: "other", force: true, now: "t2"))
        XCTAssertEqual(forced[path: "spec", "replicas"], 3)
        let owners = entries(forced).filter { $0.fields.contains([.field("spec"), .field("replicas")]) }.map(\.manager)
        XCTAssertEqual(owners, ["other"])
    }

    func testUpdateManagerConflictMessageCarriesVersion() throws {
        var created = deployment(replicas: 1)
        deployments.update(live: nil, new: &created, manager: "kubectl-client-side-apply", now: "t0")
        XCTAssertEqual(entries(created).map(\.manager), ["kubectl-client-side-apply"])
        XCTAssertThrowsError(try deployments.apply(live: created, config: deployment(replicas: 5), manager: "mgr", force: false, now: "t1")) { error in
            XCTAssertEqual((error as! APIError).message,
                           #"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas"#)
        }
    }

    func testFieldsDroppedFromConfigAreRemovedUnlessOthersOwnThem() throws {
        let live = applied(try deployments.apply(live: patchJSON(#"{"metadata":{"name":"web"}}"#), config: deployment(replicas: 2, extraContainer: true),
                                                 manager: "kubectl", force: false, now: "t1"))
        let pruned = applied(try deployments.apply(live: live, config: deployment(replicas: 2), manager: "kubectl", force: false, now: "t2"))
        XCTAssertEqual(pruned[path: "spec", "template", "spec", "containers"]?.arrayValue?.count, 1)
        XCTAssertEqual(pruned[path: "spec", "replicas"], 2)

        // A map entry another manager took over stays when the applier drops it; one nobody else owns goes.
        let cm = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"2","c":"3"}}"#
        let applied1 = applied(try configMaps.apply(live: patchJSON(#"{"metadata":{"name":"c"}}"#), config: patchJSON(cm), manager: "kubectl", force: false, now: "t1"))
        var edited = applied1
        edited[path: "data", "b"] = "edited"
        configMaps.update(live: applied1, new: &edited, manager: "editor", now: "t2")
        let second = applied(try configMaps.apply(live: edited, config: patchJSON(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}"#),
                                                  manager: "kubectl", force: false, now: "t3"))
        XCTAssertEqual(second["data"], patchJSON(#"{"a":"1","b":"edited"}"#))
    }

    func testCreateOwnsStructsThroughTheirFieldsAndMapsAsMembers() throws {
        var d = deployment(replicas: 1)
        deployments.update(live: nil, new: &d, manager: "kubectl-create", now: "t0")
        let fields = JSONWriter.encodeString(entries(d)[0].fields.fieldsV1)
        XCTAssertTrue(fields.hasPrefix(#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}}"#), fields)
        // Required lists are null in a new object, so the list is owned through its items only.
        XCTAssertTrue(fields.contains(#""f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"#), fields)
    }

    func testUpdateRecordsChangedFieldsAndTakesThemFromOthers() throws {
        var cm = patchJSON(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"2"}}"#)
        configMaps.update(live: nil, new: &cm, manager: "creator", now: "t0")
        var changed = cm
        changed[path: "data", "a"] = "changed"
        configMaps.update(live: cm, new: &changed, manager: "editor", now: "t1")
        let list = entries(changed)
        XCTAssertEqual(list.map(\.manager), ["creator", "editor"])
        // Maps are owned as members too (`f:data: {".": {}, ...}`); struct fields only through their fields.
        XCTAssertEqual(list[0].fields.paths().map(FieldSet.describe), [".data", ".data.b"])
        XCTAssertEqual(JSONWriter.encodeString(list[0].fields.fieldsV1), #"{"f:data":{".":{},"f:b":{}}}"#)
        XCTAssertEqual(list[1].fields.paths().map(FieldSet.describe), [".data.a"])
        XCTAssertEqual(list[1].time, "t1")
        // A write that changes nothing keeps the entries as they are.
        var same = changed
        configMaps.update(live: changed, new: &same, manager: "third", now: "t2")
        XCTAssertEqual(same, changed)
    }

    func testRequestManagedFieldsAreTakenWhenValidKeptWhenNotClearedOnReset() throws {
        var cm = patchJSON(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}"#)
        configMaps.update(live: nil, new: &cm, manager: "creator", now: "t0")
        var garbage = cm
        garbage[path: "metadata", "managedFields"] = patchJSON(#"[{"manager":"x","operation":"Nope","fieldsType":"FieldsV1"}]"#)
        configMaps.update(live: cm, new: &garbage, manager: "u", now: "t1")
        XCTAssertEqual(garbage[path: "metadata", "managedFields"], cm[path: "metadata", "managedFields"])
        var reset = cm
        reset[path: "metadata", "managedFields"] = patchJSON("[{}]")
        configMaps.update(live: cm, new: &reset, manager: "u", now: "t1")
        XCTAssertNil(reset[path: "metadata", "managedFields"])
    }

    func testMergeKeepsLiveItemsAndOrder() throws {
        let types = deployments.types
        let live = deployment(replicas: 1, extraContainer: true)
        var config = deployment(replicas: 1)
        config[path: "spec", "template", "spec", "containers"] = .array([patchJSON(#"{"name":"nginx","image":"nginx:2"}"#)])
        let merged = try types.merge(live, config)
        let containers = merged[path: "spec", "template", "spec", "containers"]!.arrayValue!
        XCTAssertEqual(containers.map { $0["name"]!.stringValue! }, ["nginx", "sidecar"])
        XCTAssertEqual(containers[0]["image"], "nginx:2")
        XCTAssertNotNil(containers[0]["ports"], "fields the config leaves out stay")
        // Atomic structs (a label selector) are replaced whole.
        var selector = config
        selector[path: "spec", "selector"] = patchJSON(#"{"matchExpressions":[{"key":"app","operator":"Exists"}]}"#)
        XCTAssertNil(try types.merge(live, selector)[path: "spec", "selector", "matchLabels"])
    }

    func testItemWithoutKeysIsAnError() {
        var bad = deployment(replicas: 1)
        bad[path: "spec", "template", "spec", "containers"] = .array([patchJSON(#"{"image":"nginx"}"#)])
        XCTAssertThrowsError(try deployments.types.fieldSet(bad)) { error in
            XCTAssertTrue((error as! FieldTypeError).description.hasPrefix(".spec.template.spec.containers: element 0: associative list with keys has an element that omits all key fields"), "\(error)")
        }
    }

    func testStoredEntriesPathMatchesTheGeneralPath() throws {
        var live = deployment(replicas: 1, extraContainer: true)
        deployments.update(live: nil, new: &live, manager: "creator", now: "t0")
        var second = live
        second[path: "spec", "replicas"] = 4
        deployments.update(live: live, new: &second, manager: "scaler", now: "t1")
        for change in [{ (o: inout JSON) in o[path: "spec", "replicas"] = 5 },
                       { (o: inout JSON) in o[path: "spec", "template", "spec", "containers"] = .array([o[path: "spec", "template", "spec", "containers"]!.arrayValue![0]]) },
                       { (o: inout JSON) in o[path: "metadata", "labels", "new"] = "x" }] {
            var fast = second
            change(&fast)
            deployments.update(live: second, new: &fast, manager: "editor", now: "t2")
            // The same list re-ordered in JSON is not the stored one: it goes through the general path.
            var general = second
            change(&general)
            let reordered = second[path: "metadata", "managedFields"]!.arrayValue!.map { entry -> JSON in
                .object(JSONObject(entry.objectValue!.reversed().map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
            }
            general[path: "metadata", "managedFields"] = .array(reordered)
            deployments.update(live: second, new: &general, manager: "editor", now: "t2")
            XCTAssertEqual(try ManagedFieldsList.decode(fast[path: "metadata", "managedFields"]),
                           try ManagedFieldsList.decode(general[path: "metadata", "managedFields"]))
            XCTAssertEqual(fast[path: "metadata", "managedFields"], general[path: "metadata", "managedFields"])
        }
    }
}
