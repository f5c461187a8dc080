import XCTest
@testable import APIMachinery

final class OpenAPIDocumentsShapeTests: XCTestCase {
    static let statefulSets = APIResource(
        group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", shortNames: ["sts"],
        namespaced: true, categories: ["all"], subresources: ["status", "scale"], definition: "io.k8s.api.apps.v1.StatefulSet")
    static let nodes = APIResource(
        group: "", version: "v1", kind: "Node", plural: "nodes", namespaced: false, subresources: ["status"],
        definition: "io.k8s.api.core.v1.Node")
    static let documents = OpenAPIDocuments(resources: [statefulSets, nodes])

    private func document(_ path: String) throws -> JSON {
        try JSONParser.parse(try XCTUnwrap(Self.documents.documents[path])).value
    }

    func testIndexPointsAtEveryGroupVersionWithItsHash() throws {
        let index = try JSONParser.parse(Self.documents.index).value
        let apps = try XCTUnwrap(Self.documents.hashes["apis/apps/v1"])
        XCTAssertEqual(apps.count, 128)
        XCTAssertEqual(apps, apps.uppercased())
        XCTAssertEqual(index, ["paths": [
            "api/v1": ["serverRelativeURL": .string("/openapi/v3/api/v1?hash=\(Self.documents.hashes["api/v1"] ?? "")")],
            "apis/apps/v1": ["serverRelativeURL": .string("/openapi/v3/apis/apps/v1?hash=\(apps)")],
        ]])
        XCTAssertEqual(OpenAPIDocuments.fileName(for: "apis/apps/v1"), "apis__apps__v1_openapi.json")
        XCTAssertEqual(OpenAPIDocuments.fileName(for: "api/v1"), "api__v1_openapi.json")
        XCTAssertNotNil(Self.documents.document(forRequestPath: "/openapi/v3/apis/apps/v1"))
    }

    func testHeaderAndOperations() throws {
        let doc = try document("apis/apps/v1")
        XCTAssertEqual(doc["openapi"], "3.0.0")
        XCTAssertEqual(doc["info"], ["title": "Kubernetes", "version": "v1.32.0"])
        let paths = try XCTUnwrap(doc["paths"])
        let collection = try XCTUnwrap(paths["/apis/apps/v1/namespaces/{namespace}/statefulsets"])
        XCTAssertEqual(collection[path: "post", "operationId"], "createAppsV1NamespacedStatefulSet")
        XCTAssertEqual(collection[path: "get", "operationId"], "listAppsV1NamespacedStatefulSet")
        XCTAssertEqual(collection[path: "delete", "operationId"], "deleteAppsV1CollectionNamespacedStatefulSet")
        XCTAssertEqual(collection[path: "delete", "x-kubernetes-action"], "deletecollection")
        XCTAssertEqual(paths[path: "/apis/apps/v1/statefulsets", "get", "operationId"], "listAppsV1StatefulSetForAllNamespaces")
        let item = try XCTUnwrap(paths["/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}"])
        XCTAssertEqual(item[path: "patch", "operationId"], "patchAppsV1NamespacedStatefulSet")
        XCTAssertEqual(item[path: "patch", "x-kubernetes-group-version-kind"], ["group": "apps", "kind": "StatefulSet", "version": "v1"])
        let patchParameters = item[path: "patch", "parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        XCTAssertEqual(patchParameters, ["dryRun", "fieldManager", "fieldValidation", "force"])
        XCTAssertNotNil(item[path: "patch", "requestBody", "content", "application/strategic-merge-patch+json"])
        XCTAssertEqual(item[path: "put", "requestBody", "content", "*/*", "schema", "$ref"],
                       "#/components/schemas/io.k8s.api.apps.v1.StatefulSet")
        XCTAssertEqual(item["parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue }, ["name", "namespace", "pretty"])
        let scale = try XCTUnwrap(paths["/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/scale"])
        XCTAssertEqual(scale[path: "get", "operationId"], "readAppsV1NamespacedStatefulSetScale")
        XCTAssertEqual(scale[path: "patch", "x-kubernetes-group-version-kind", "group"], "autoscaling")
        XCTAssertEqual(paths[path: "/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/status", "put", "operationId"],
                       "replaceAppsV1NamespacedStatefulSetStatus")
        let core = try document("api/v1")
        XCTAssertEqual(core[path: "paths", "/api/v1/nodes/{name}", "get", "operationId"], "readCoreV1Node")
        XCTAssertEqual(core[path: "paths", "/api/v1/nodes", "post", "tags"], ["core_v1"])
    }

    func testComponentsCarryKindsExtensionsAndUpstreamWrapping() throws {
        let schemas = try XCTUnwrap(try document("apis/apps/v1")[path: "components", "schemas"])
        for name in ["io.k8s.api.apps.v1.StatefulSet", "io.k8s.api.apps.v1.StatefulSetList", "io.k8s.api.autoscaling.v1.Scale",
                     "io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
                     "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", "io.k8s.api.core.v1.Container"] {
            XCTAssertNotNil(schemas[name], name)
        }
        XCTAssertNil(schemas["io.k8s.api.core.v1.Node"])
        XCTAssertEqual(schemas[path: "io.k8s.api.apps.v1.StatefulSet", "x-kubernetes-group-version-kind"],
                       [["group": "apps", "kind": "StatefulSet", "version": "v1"]])
        XCTAssertEqual(schemas[path: "io.k8s.api.apps.v1.StatefulSetSpec", "properties", "template"],
                       ["allOf": [["$ref": "#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec"]]])
        let containers = try XCTUnwrap(schemas[path: "io.k8s.api.core.v1.PodSpec", "properties", "containers"])
        XCTAssertEqual(containers["x-kubernetes-patch-merge-key"], "name")
        XCTAssertEqual(containers["x-kubernetes-patch-strategy"], "merge")
        XCTAssertEqual(containers["items"], ["allOf": [["$ref": "#/components/schemas/io.k8s.api.core.v1.Container"]], "default": [:]])
        XCTAssertEqual(schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"],
                       ["format": "int-or-string", "oneOf": [["type": "integer"], ["type": "string"]]])
        XCTAssertNil(schemas[path: "io.k8s.api.apps.v1.StatefulSet", "description"])
    }

    func testOutputIsStable() {
        let again = OpenAPIDocuments(resources: [Self.statefulSets, Self.nodes])
        XCTAssertEqual(again.documents, Self.documents.documents)
        XCTAssertEqual(again.index, Self.documents.index)
    }

    func testSHA512KnownAnswers() {
        XCTAssertEqual(SHA512.hexDigest(Array("abc".utf8)),
                       "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F")
        XCTAssertEqual(SHA512.hexDigest([]),
                       "CF83E1357EEFB8BDF1542850D66D8007D620E4050B5715DC83F4A921D36CE9CE47D0D13C5D85F2B0FF8318D2877EEC2F63B931BD47417A81A538327AF927DA3E")
        let long = Array(repeating: UInt8(ascii: "a"), count: 1000)
        XCTAssertEqual(SHA512.hexDigest(long).count, 128)
    }
}
