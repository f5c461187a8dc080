import XCTest
@testable import APIMachinery

/// A hand-built slice of upstream's schemas with the same patch tags as the real types.
enum PatchTestSchemas {
    static func object(_ properties: [String: SchemaField], additional: SchemaType? = nil) -> SchemaType {
        .object(properties: properties, required: [], additionalProperties: additional)
    }
    static let string = SchemaField(type: .string(format: nil, enumValues: nil))
    static let stringMap = SchemaField(type: .object(properties: [:], required: [], additionalProperties: .string(format: nil, enumValues: nil)))
    static func list(_ items: SchemaType, strategy: String? = nil, key: String? = nil) -> SchemaField {
        SchemaField(type: .array(items: items), patchStrategy: strategy, patchMergeKey: key)
    }

    static let set = SchemaSet(definitions: [
        "Deployment": object([
            "apiVersion": string, "kind": string,
            "metadata": SchemaField(type: .ref("ObjectMeta")),
            "spec": SchemaField(type: .ref("DeploymentSpec")),
        ]),
        "ObjectMeta": object([
            "name": string, "labels": stringMap, "annotations": stringMap,
            "finalizers": list(.string(format: nil, enumValues: nil), strategy: "merge"),
        ]),
        "DeploymentSpec": object([
            "replicas": SchemaField(type: .integer(format: "int32")),
            "selector": SchemaField(type: .any),
            "template": SchemaField(type: .ref("PodTemplateSpec")),
            "strategy": SchemaField(type: .ref("DeploymentStrategy"), patchStrategy: "retainKeys"),
        ]),
        "DeploymentStrategy": object([
            "type": string,
            "rollingUpdate": SchemaField(type: object(["maxSurge": SchemaField(type: .intOrString), "maxUnavailable": SchemaField(type: .intOrString)])),
        ]),
        "PodTemplateSpec": object(["metadata": SchemaField(type: .ref("ObjectMeta")), "spec": SchemaField(type: .ref("PodSpec"))]),
        "PodSpec": object([
            "containers": list(.ref("Container"), strategy: "merge", key: "name"),
            "volumes": list(.ref("Volume"), strategy: "merge,retainKeys", key: "name"),
            "tolerations": list(object(["key": string, "effect": string])),
            "nodeSelector": stringMap,
        ]),
        "Container": object([
            "name": string, "image": string,
            "args": list(.string(format: nil, enumValues: nil)),
            "ports": list(.ref("ContainerPort"), strategy: "merge", key: "containerPort"),
            "env": list(object(["name": string, "value": string]), strategy: "merge", key: "name"),
            "volumeMounts": list(object(["name": string, "mountPath": string]), strategy: "merge", key: "mountPath"),
        ]),
        "ContainerPort": object(["containerPort": SchemaField(type: .integer(format: "int32")), "protocol": string, "name": string]),
        "Volume": object([
            "name": string,
            "configMap": SchemaField(type: object(["name": string])),
            "emptyDir": SchemaField(type: object(["medium": string])),
        ]),
    ], kinds: [:])

    static let deployment = SchemaType.ref("Deployment")
}

final class StrategicMergePatchTests: XCTestCase {
    private let base = #"""
    {"apiVersion":"apps/v1","kind":"Deployment",
     "metadata":{"name":"web","labels":{"app":"web"},"finalizers":["a","b"]},
     "spec":{"replicas":1,
       "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}},
       "template":{"metadata":{"labels":{"app":"web"}},"spec":{
         "containers":[
           {"name":"redis","image":"redis:7","ports":[{"containerPort":6379,"protocol":"TCP"}],
            "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
            "volumeMounts":[{"name":"data","mountPath":"/data"}],"args":["--x"]},
           {"name":"sidecar","image":"busybox"}],
         "volumes":[{"name":"data","configMap":{"name":"cm"}}],
         "tolerations":[{"key":"k1","effect":"NoSchedule"}]}}}}
    """#

    private func apply(_ patch: String, to original: String? = nil) throws -> JSON {
        try StrategicMergePatch.apply(patchJSON(patch), to: patchJSON(original ?? base),
                                      schema: PatchTestSchemas.deployment, schemas: PatchTestSchemas.set)
    }

    private func podSpec(_ result: JSON) -> JSON { result[path: "spec", "template", "spec"] ?? .null }

    private func names(_ list: JSON?, _ key: String = "name") -> [String] {
        (list?.arrayValue ?? []).map { $0[key].map { GoFormat.format($0) } ?? "?" }
    }

    func testMergesObjectsAndContainersByName() throws {
        let r = try apply(#"{"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"redis","image":"redis:7.2"}]}}}}"#)
        XCTAssertEqual(r[path: "spec", "replicas"], 3)
        let containers = podSpec(r)["containers"]?.arrayValue ?? []
        XCTAssertEqual(names(.array(containers)), ["redis", "sidecar"])
        XCTAssertEqual(containers[0]["image"], "redis:7.2")
        XCTAssertEqual(containers[0]["ports"], patchJSON(#"[{"containerPort":6379,"protocol":"TCP"}]"#), "untouched fields stay")
        XCTAssertEqual(r[path: "metadata", "labels"], ["app": "web"])
    }

    /// Upstream puts a merged list's new patch items before the server's items (mergeSortedSlice).
    func testNewItemsComeBeforeServerItemsWithoutSetElementOrder() throws {
        let r = try apply(#"{"spec":{"template":{"spec":{"containers":[{"name":"logger","image":"fluent"}]}}}}"#)
        XCTAssertEqual(names(podSpec(r)["containers"]), ["logger", "redis", "sidecar"])
    }

    func testKubectlApplyStylePatchWithSetElementOrder() throws {
        let patch = #"""
        {"spec":{"replicas":3,"template":{"spec":{
          "$setElementOrder/containers":[{"name":"redis"},{"name":"sidecar"},{"name":"logger"}],
          "containers":[
            {"name":"redis","$setElementOrder/ports":[{"containerPort":6380}],
             "ports":[{"containerPort":6380},{"$patch":"delete","containerPort":6379}]},
            {"name":"logger","image":"fluent"}]}}}}
        """#
        let r = try apply(patch)
        XCTAssertEqual(r[path: "spec", "replicas"], 3)
        let containers = podSpec(r)["containers"]
        XCTAssertEqual(names(containers), ["redis", "sidecar", "logger"])
        XCTAssertEqual(containers?.arrayValue?[0]["ports"], patchJSON(#"[{"containerPort":6380}]"#))
        XCTAssertNil(podSpec(r)["$setElementOrder/containers"])
    }

    func testSetElementOrderInterleavesServerOnlyItemsByLivePosition() throws {
        let original = #"{"spec":{"template":{"spec":{"containers":[{"name":"A"},{"name":"B"},{"name":"C"}]}}}}"#
        let patch = #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"C"},{"name":"A"}],"containers":[{"name":"A","image":"a2"}]}}}}"#
        let r = try apply(patch, to: original)
        XCTAssertEqual(names(podSpec(r)["containers"]), ["B", "C", "A"])
    }

    func testPortsMergeByContainerPortAndEnvByName() throws {
        let patch = #"""
        {"spec":{"template":{"spec":{"containers":[{"name":"redis",
          "ports":[{"containerPort":6379,"name":"redis"},{"containerPort":9121}],
          "env":[{"name":"B","value":"3"},{"name":"A","$patch":"delete"}],
          "volumeMounts":[{"mountPath":"/data","readOnly":true},{"name":"tmp","mountPath":"/tmp"}]}]}}}}
        """#
        let redis = podSpec(try apply(patch))["containers"]?.arrayValue?[0] ?? .null
        XCTAssertEqual(redis["ports"], patchJSON(#"[{"containerPort":6379,"protocol":"TCP","name":"redis"},{"containerPort":9121}]"#))
        XCTAssertEqual(redis["env"], patchJSON(#"[{"name":"B","value":"3"}]"#))
        XCTAssertEqual(names(redis["volumeMounts"], "mountPath"), ["/data", "/tmp"])
        XCTAssertEqual(redis["volumeMounts"]?.arrayValue?[0]["readOnly"], true)
    }

    func testPrimitiveMergeListIsASet() throws {
        // Server items that precede a patch item in the live list stay in front of it; items new
        // to the list go before the rest (upstream mergeSortedSlice).
        let r = try apply(#"{"metadata":{"finalizers":["b","c"]}}"#)
        XCTAssertEqual(r[path: "metadata", "finalizers"], ["a", "b", "c"])
        let added = try apply(#"{"metadata":{"finalizers":["c","a"]}}"#)
        XCTAssertEqual(added[path: "metadata", "finalizers"], ["c", "a", "b"])
        let ordered = try apply(#"{"metadata":{"$setElementOrder/finalizers":["a","b","c"],"finalizers":["c"]}}"#)
        XCTAssertEqual(ordered[path: "metadata", "finalizers"], ["a", "b", "c"])
    }

    func testSetElementOrderOnListNewToTheObject() throws {
        let r = try apply(#"{"spec":{"template":{"metadata":{"$setElementOrder/finalizers":["x","y"],"finalizers":["x","y"]}}}}"#)
        XCTAssertEqual(r[path: "spec", "template", "metadata", "finalizers"], ["x", "y"])
        XCTAssertThrowsError(try apply(#"{"spec":{"template":{"metadata":{"$setElementOrder/finalizers":["x","y"],"finalizers":["y","x"]}}}}"#),
                             "the patch list must follow the directive's order")
        let items = try apply(#"{"spec":{"template":{"spec":{"containers":[{"name":"redis"}],"volumes":null}}}}"#)
        XCTAssertNil(podSpec(items)["volumes"])
    }

    func testDeleteFromPrimitiveList() throws {
        let r = try apply(#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}"#)
        XCTAssertEqual(r[path: "metadata", "finalizers"], ["b"])
        let missing = try apply(#"{"spec":{"template":{"metadata":{"$deleteFromPrimitiveList/finalizers":["x"]}}}}"#)
        XCTAssertNil(missing[path: "spec", "template", "metadata", "finalizers"])
    }

    func testListsWithoutMergeStrategyAreReplaced() throws {
        let r = try apply(#"{"spec":{"template":{"spec":{"tolerations":[{"key":"k2"}],"containers":[{"name":"redis","args":["--y"]}]}}}}"#)
        XCTAssertEqual(podSpec(r)["tolerations"], patchJSON(#"[{"key":"k2"}]"#))
        XCTAssertEqual(podSpec(r)["containers"]?.arrayValue?[0]["args"], ["--y"])
    }

    func testNullDeletesAndNullsInAddedValuesAreDropped() throws {
        let r = try apply(#"{"metadata":{"labels":null},"spec":{"template":{"spec":{"nodeSelector":{"disk":"ssd","gone":null}}}}}"#)
        XCTAssertNil(r[path: "metadata", "labels"])
        XCTAssertEqual(podSpec(r)["nodeSelector"], ["disk": "ssd"])
    }

    func testPatchReplaceDirectiveOnMapAndList() throws {
        let map = try apply(#"{"spec":{"template":{"metadata":{"labels":{"$patch":"replace","tier":"db"}}}}}"#)
        XCTAssertEqual(map[path: "spec", "template", "metadata", "labels"], ["tier": "db"])
        let list = try apply(#"{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"x"},{"$patch":"replace"}]}}}}"#)
        XCTAssertEqual(podSpec(list)["containers"], patchJSON(#"[{"name":"only","image":"x"}]"#))
    }

    func testPatchDeleteDirectiveOnMapAndListItem() throws {
        let map = try apply(#"{"spec":{"strategy":{"$patch":"delete"}}}"#)
        XCTAssertEqual(map[path: "spec", "strategy"], .object([:]))
        let item = try apply(#"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}"#)
        XCTAssertEqual(names(podSpec(item)["containers"]), ["redis"])
        let added = try apply(#"{"spec":{"template":{"spec":{"nodeSelector":{"$patch":"delete"}}}}}"#)
        XCTAssertNil(podSpec(added)["nodeSelector"], "a new value carrying $patch is dropped")
    }

    func testPatchMergeDirectiveIsRejectedLikeUpstream() {
        assertAPIError(try apply(#"{"spec":{"template":{"spec":{"containers":[{"name":"redis","$patch":"merge"}]}}}}"#),
                       code: 400, reason: "BadRequest", message: "merging lists cannot yet be specified in the patch")
        assertAPIError(try apply(#"{"metadata":{"labels":{"$patch":"merge","a":"b"}}}"#),
                       code: 400, reason: "BadRequest", message: "unknown patch type: merge in map: map[$patch:merge a:b]")
    }

    func testRetainKeysClearsUnlistedFields() throws {
        let strategy = try apply(#"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#)
        XCTAssertEqual(strategy[path: "spec", "strategy"], ["type": "Recreate"])
        let volume = try apply(#"{"spec":{"template":{"spec":{"volumes":[{"name":"data","$retainKeys":["emptyDir","name"],"emptyDir":{}}]}}}}"#)
        XCTAssertEqual(podSpec(volume)["volumes"], patchJSON(#"[{"name":"data","emptyDir":{}}]"#))
    }

    func testRetainKeysErrors() {
        assertAPIError(try apply(#"{"spec":{"strategy":{"$retainKeys":"type"}}}"#),
                       code: 400, reason: "BadRequest", message: "invalid patch format of retainKeys")
        assertAPIError(try apply(#"{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}"#),
                       code: 400, reason: "BadRequest", message: "invalid patch format of retainKeys")
    }

    func testFieldsWithoutSchemaMergeLikeMergePatch() throws {
        let original = #"{"spec":{"selector":{"matchLabels":{"a":"1"},"list":[1,2]},"unknown":{"x":{"y":1}}}}"#
        let r = try apply(#"{"spec":{"selector":{"matchLabels":{"b":"2"},"list":[3]},"unknown":{"x":{"z":2}}}}"#, to: original)
        XCTAssertEqual(r[path: "spec", "selector"], patchJSON(#"{"matchLabels":{"a":"1","b":"2"},"list":[3]}"#))
        XCTAssertEqual(r[path: "spec", "unknown"], patchJSON(#"{"x":{"y":1,"z":2}}"#))
    }

    func testMissingMergeKeyIsABadRequest() {
        assertAPIError(try apply(#"{"spec":{"template":{"spec":{"containers":[{"image":"nginx"}]}}}}"#),
                       code: 400, reason: "BadRequest", message: "map: map[image:nginx] does not contain declared merge key: name")
        assertAPIError(try apply(#"{"spec":{"template":{"spec":{"containers":[{"$patch":"delete"}]}}}}"#),
                       code: 400, reason: "BadRequest", message: "map: map[$patch:delete] does not contain declared merge key: name")
    }

    func testDirectiveFormatErrors() {
        assertAPIError(try apply(#"{"metadata":{"$setElementOrderX/finalizers":["a"]}}"#),
                       code: 400, reason: "BadRequest", message: "invalid patch format of setElementOrder list")
        assertAPIError(try apply(#"{"metadata":{"$deleteFromPrimitiveList":["a"]}}"#),
                       code: 400, reason: "BadRequest", message: "invalid patch format of primitive list")
        assertAPIError(try apply(#"{"metadata":{"$setElementOrder/finalizers":"a"}}"#),
                       code: 400, reason: "BadRequest", message: "expected a []interface {}, but received a string")
        assertAPIError(try apply(#"{"spec":{"strategy":{"$patch":5}}}"#),
                       code: 400, reason: "BadRequest", message: "unknown patch type: %!s(int64=5) in map: map[$patch:5]")
    }

    func testSetElementOrderMustListPatchItems() {
        let patch = #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"redis"}],"containers":[{"name":"new"}]}}}}"#
        assertAPIError(try apply(patch), code: 400, reason: "BadRequest",
                       message: "The order in patch list:\n[map[name:new]]\n doesn't match $setElementOrder list:\n[map[name:redis]]\n")
    }

    func testListTypeErrors() {
        assertAPIError(try apply(#"{"metadata":{"finalizers":[["x"]]}}"#, to: #"{"metadata":{"finalizers":[]}}"#),
                       code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request")
        assertAPIError(try apply(#"{"metadata":{"finalizers":[1]}}"#), code: 400, reason: "BadRequest",
                       message: "list element types are not identical: [[a b] [1]]")
    }

    func testPatchBodyMustBeAnObject() throws {
        assertAPIError(try apply("[1]"), code: 400, reason: "BadRequest",
                       message: "json: cannot unmarshal array into Go value of type map[string]interface {}")
        XCTAssertEqual(try apply("null"), patchJSON(base))
        var deep: JSON = 1
        for _ in 0..<(StrategicMergePatch.maxPatchDepth + 1) { deep = ["x": deep] }
        XCTAssertThrowsError(try StrategicMergePatch.apply(deep, to: [:], schema: .any, schemas: PatchTestSchemas.set))
    }

    /// The merge recurses along the patch: at the depth limit it must fit a secondary thread's stack.
    func testDepthLimitFitsASmallThreadStack() {
        // Each level is an object in a merge-keyed list: the deepest call chain per level.
        var deep: JSON = 1
        var original: JSON = 0
        for _ in 0..<(StrategicMergePatch.maxPatchDepth / 3) {
            deep = ["containers": [["name": "a", "x": deep]]]
            original = ["containers": [["name": "a", "x": original]]]
        }
        XCTAssertGreaterThan(JSONTree.depth(deep), StrategicMergePatch.maxPatchDepth - 3)
        let list = SchemaField(type: .array(items: .ref("Item")), patchStrategy: "merge", patchMergeKey: "name")
        let schemas = SchemaSet(definitions: [
            "Level": .object(properties: ["containers": list], required: [], additionalProperties: nil),
            "Item": .object(properties: ["x": SchemaField(type: .ref("Level"))], required: [], additionalProperties: nil),
        ], kinds: [:])
        let done = expectation(description: "merged")
        let thread = Thread { [deep, original] in
            let r = try? StrategicMergePatch.apply(deep, to: original, schema: .ref("Level"), schemas: schemas)
            XCTAssertNotNil(r)
            done.fulfill()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        wait(for: [done], timeout: 30)
    }
}
