import XCTest
@testable import APIMachinery

/// The schema a CRD version publishes in /openapi/v3.
final class CustomResourceOpenAPISchemaTests: XCTestCase {
    func testPublishedSchemaAddsTypeMetaObjectMetaAndGVK() {
        guard let s = CustomResourceSchemaFixture.schema(#"""
        {"type":"object","properties":{"spec":{"type":"object","properties":{
          "port":{"x-kubernetes-int-or-string":true},
          "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true},
          "size":{"type":"integer","x-kubernetes-validations":[{"rule":"self > 0"}]}}}}}
        """#) else { return }
        let published = s.openAPIV3Schema(group: "example.com", version: "v1", kind: "Widget")
        XCTAssertEqual(published["x-kubernetes-group-version-kind"], [["group": "example.com", "kind": "Widget", "version": "v1"]])
        XCTAssertEqual(published[path: "properties", "metadata", "allOf"], [["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]])
        XCTAssertEqual(published[path: "properties", "apiVersion", "type"], "string")
        XCTAssertEqual(published[path: "properties", "spec", "properties", "port", "anyOf"], [["type": "integer"], ["type": "string"]])
        XCTAssertEqual(published[path: "properties", "spec", "properties", "template", "required"], ["kind", "apiVersion"])
        XCTAssertEqual(published[path: "properties", "spec", "properties", "template", "properties", "kind", "type"], "string")
        XCTAssertEqual(published[path: "properties", "spec", "properties", "size", "x-kubernetes-validations"], [["rule": "self > 0"]])
    }
}
