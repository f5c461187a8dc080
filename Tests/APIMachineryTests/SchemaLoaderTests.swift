import XCTest
@testable import APIMachinery

final class SchemaLoaderTests: XCTestCase {
    let schemas = SchemaSet.upstream

    private func properties(_ name: String, file: StaticString = #filePath, line: UInt = #line) -> [String: SchemaField] {
        guard case .object(let properties, _, _)? = schemas.definition(name) else {
            XCTFail("\(name) is not an object schema", file: file, line: line)
            return [:]
        }
        return properties
    }

    func testEveryServedKindAndListHasADefinition() {
        let kinds = ["Namespace", "Pod", "Service", "Endpoints", "PersistentVolumeClaim", "PersistentVolume", "Node",
                     "Event", "ConfigMap", "Secret"]
        for kind in kinds {
            XCTAssertEqual(schemas.kinds[GroupVersionKind(group: "", version: "v1", kind: kind)], "io.k8s.api.core.v1.\(kind)")
            XCTAssertEqual(schemas.kinds[GroupVersionKind(group: "", version: "v1", kind: kind + "List")], "io.k8s.api.core.v1.\(kind)List")
        }
        XCTAssertEqual(schemas.kinds[GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet")], "io.k8s.api.apps.v1.StatefulSet")
        XCTAssertEqual(schemas.kinds[GroupVersionKind(group: "apps", version: "v1", kind: "ControllerRevision")], "io.k8s.api.apps.v1.ControllerRevision")
        XCTAssertEqual(schemas.kinds[GroupVersionKind(group: "storage.k8s.io", version: "v1", kind: "StorageClass")], "io.k8s.api.storage.v1.StorageClass")
        XCTAssertEqual(schemas.kinds[GroupVersionKind(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice")], "io.k8s.api.discovery.v1.EndpointSlice")
        XCTAssertEqual(schemas.kinds[GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease")], "io.k8s.api.coordination.v1.Lease")
        XCTAssertEqual(schemas.kinds[GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")], "io.k8s.api.autoscaling.v1.Scale")
        for name in ["Status", "DeleteOptions", "WatchEvent", "APIResourceList", "Patch"] {
            XCTAssertNotNil(schemas.definitions["io.k8s.apimachinery.pkg.apis.meta.v1.\(name)"], name)
        }
    }

    func testStatefulSetSpecFields() {
        let spec = properties("io.k8s.api.apps.v1.StatefulSetSpec")
        XCTAssertEqual(spec["replicas"]?.type, .integer(format: "int32"))
        XCTAssertEqual(spec["serviceName"]?.type, .string(format: nil, enumValues: nil))
        XCTAssertEqual(spec["template"]?.type, .ref("io.k8s.api.core.v1.PodTemplateSpec"))
        XCTAssertEqual(spec["selector"]?.type, .ref("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"))
        XCTAssertEqual(spec["volumeClaimTemplates"]?.type, .array(items: .ref("io.k8s.api.core.v1.PersistentVolumeClaim")))
        XCTAssertEqual(spec["volumeClaimTemplates"]?.listType, "atomic")
        guard case .object(_, let required, _)? = schemas.definition("io.k8s.api.apps.v1.StatefulSetSpec") else { return XCTFail() }
        XCTAssertEqual(Set(required), ["selector", "template", "serviceName"])
    }

    func testPatchMetadata() {
        let pod = properties("io.k8s.api.core.v1.PodSpec")
        XCTAssertEqual(pod["containers"]?.patchMergeKey, "name")
        XCTAssertEqual(pod["containers"]?.patchStrategy, "merge")
        XCTAssertEqual(pod["containers"]?.listType, "map")
        XCTAssertEqual(pod["containers"]?.listMapKeys, ["name"])
        XCTAssertEqual(pod["volumes"]?.patchStrategies, ["merge", "retainKeys"])
        let container = properties("io.k8s.api.core.v1.Container")
        XCTAssertEqual(container["ports"]?.patchMergeKey, "containerPort")
        XCTAssertEqual(container["ports"]?.listMapKeys, ["containerPort", "protocol"])
        XCTAssertEqual(container["env"]?.patchMergeKey, "name")
    }

    func testScalarsAndMaps() {
        let resources = properties("io.k8s.api.core.v1.ResourceRequirements")
        XCTAssertEqual(resources["limits"]?.type,
                       .object(properties: [:], required: [], additionalProperties: .ref("io.k8s.apimachinery.pkg.api.resource.Quantity")))
        XCTAssertEqual(schemas.definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"], .quantity)
        XCTAssertEqual(schemas.definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"], .intOrString)
        XCTAssertEqual(schemas.definitions["io.k8s.apimachinery.pkg.runtime.RawExtension"], .any)
        XCTAssertEqual(schemas.definitions["io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"], .any)
        XCTAssertEqual(schemas.definitions["io.k8s.apimachinery.pkg.apis.meta.v1.Time"], .string(format: "date-time", enumValues: nil))
        let meta = properties("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
        XCTAssertEqual(meta["labels"]?.type, .object(properties: [:], required: [], additionalProperties: .string(format: nil, enumValues: nil)))
        let secret = properties("io.k8s.api.core.v1.Secret")
        XCTAssertEqual(secret["data"]?.type, .object(properties: [:], required: [], additionalProperties: .string(format: "byte", enumValues: nil)))
        let port = properties("io.k8s.api.core.v1.ServicePort")
        XCTAssertEqual(port["targetPort"]?.type, .ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString"))
    }

    func testJSONSchemaFormIsAccepted() throws {
        let source = try JSONParser.parse(#"""
        {"x.v1.Thing": {"type": ["object", "null"], "properties": {
            "count": {"type": ["integer", "null"], "format": "int32"},
            "child": {"$ref": "#/$defs/x.v1.Child"},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
          "x-kubernetes-group-version-kind": [{"group": "x", "version": "v1", "kind": "Thing"}]}}
        """#).value
        let set = SchemaSet(openAPIDefinitions: source.objectValue ?? [:])
        XCTAssertEqual(set.kinds[GroupVersionKind(group: "x", version: "v1", kind: "Thing")], "x.v1.Thing")
        guard case .object(let properties, _, _)? = set.definitions["x.v1.Thing"] else { return XCTFail() }
        XCTAssertEqual(properties["count"]?.type, .integer(format: "int32"))
        XCTAssertEqual(properties["child"]?.type, .ref("x.v1.Child"))
        XCTAssertEqual(properties["free"]?.type, .any)
    }
}
