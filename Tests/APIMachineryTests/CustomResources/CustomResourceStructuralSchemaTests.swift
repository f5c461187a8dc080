import XCTest
@testable import APIMachinery

/// CRD validation of `openAPIV3Schema`: structural invariants and the unsupported JSON Schema features,
/// with upstream's paths and messages.
final class CustomResourceStructuralSchemaTests: XCTestCase {
    private func errors(_ text: String) -> [String] { CustomResourceSchemaFixture.crdErrors(text) }

    func testValidOperatorStyleSchemaIsAccepted() {
        XCTAssertEqual(errors("""
        {"type":"object","properties":{
          "spec":{"type":"object","required":["image"],"properties":{
            "image":{"type":"string","minLength":1},
            "replicas":{"type":"integer","format":"int32","minimum":0,"default":1},
            "port":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]},
            "env":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                   "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"value":{"type":"string"}}}},
            "labels":{"type":"object","additionalProperties":{"type":"string"}},
            "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true},
            "extra":{"x-kubernetes-preserve-unknown-fields":true}}},
          "status":{"type":"object","properties":{"readyReplicas":{"type":"integer"}}}}}
        """), [])
    }

    func testMissingTypesAtEachLevel() {
        XCTAssertEqual(errors(#"{"properties":{"spec":{"type":"object"}}}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"list":{"type":"array","items":{}}}}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.properties[list].items.type: Required value: must not be empty for specified array items"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"list":{"type":"array"}}}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.properties[list].items: Required value: must be specified"])
    }

    func testRootRules() {
        XCTAssertEqual(errors(#"{"type":"string"}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.type: Invalid value: \"string\": must be object at the root"])
        XCTAssertEqual(errors(#"{"type":"object","additionalProperties":{"type":"string"}}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.additionalProperties: Forbidden: must not be used at the root"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"kind":{"type":"integer"}}}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.properties[kind].type: Invalid value: \"integer\": must be string"])
    }

    func testMetadataMayOnlyRestrictNameAndGenerateName() {
        XCTAssertEqual(errors(#"{"type":"object","properties":{"metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":20}}}}}"#), [])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"metadata":{"type":"object","properties":{"labels":{"type":"object"}}}}}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"metadata":{"type":"object","default":{"name":"x"}}}}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.properties[metadata].default: Forbidden: must not be set in top-level metadata"])
    }

    func testValueValidationsMustNotCarryStructure() {
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"string","anyOf":[{"type":"string","description":"x"}]}}}"#), [
            "spec.versions[0].schema.openAPIV3Schema.properties[a].anyOf[0].description: Forbidden: must be empty to be structural",
            "spec.versions[0].schema.openAPIV3Schema.properties[a].anyOf[0].type: Forbidden: must be empty to be structural",
        ])
        // Upstream checks completeness from the root's value validations (validateStructuralCompleteness).
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"string"}},"oneOf":[{"properties":{"b":{"minLength":1}}}]}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.properties[b]: Required value: because it is defined in spec.versions[0].schema.openAPIV3Schema.oneOf[0].properties[b]"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"string","not":{"x-kubernetes-int-or-string":true}}}}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.properties[a].not.x-kubernetes-int-or-string: Forbidden: must be false to be structural"])
    }

    func testIntOrStringPatternsAreStructural() {
        XCTAssertEqual(errors(#"{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"allOf":[{"anyOf":[{"type":"integer"},{"type":"string"}]},{"pattern":"^[0-9]+$"}]}}}"#), [])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"x-kubernetes-preserve-unknown-fields":true}}}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.properties[p].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true"])
    }

    func testEmbeddedResourceRules() {
        XCTAssertEqual(errors(#"{"type":"object","properties":{"t":{"type":"string","x-kubernetes-embedded-resource":true}}}"#), [
            "spec.versions[0].schema.openAPIV3Schema.properties[t].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
            "spec.versions[0].schema.openAPIV3Schema.properties[t].type: Invalid value: \"string\": must be object if x-kubernetes-embedded-resource is true",
        ])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"t":{"type":"object","x-kubernetes-embedded-resource":true}}}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.properties[t].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"])
    }

    func testUnsupportedJSONSchemaFeatures() {
        let root = "spec.versions[0].schema.openAPIV3Schema"
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"array","uniqueItems":true,"items":{"type":"string"}}}}"#),
                       ["\(root).properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic"])
        XCTAssertEqual(errors(##"{"type":"object","properties":{"a":{"$ref":"#/definitions/x"}}}"##), [
            "\(root).properties[a].type: Required value: must not be empty for specified object fields",
            "\(root).properties[a].$ref: Forbidden: $ref is not supported",
        ])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}},"additionalProperties":{"type":"string"}}}}"#),
                       ["\(root).properties[a].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"object","x-kubernetes-preserve-unknown-fields":false}}}"#),
                       ["\(root).properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"widget"}}}"#),
                       ["\(root).properties[a].type: Unsupported value: \"widget\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\""])
    }

    func testListAndMapTypes() {
        let root = "spec.versions[0].schema.openAPIV3Schema"
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"map","items":{"type":"object","properties":{"n":{"type":"string"}}}}}}"#),
                       ["\(root).properties[a].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"n":{"type":"string"}}}}}}"#),
                       ["\(root).properties[a].x-kubernetes-list-map-keys: Invalid value: []string{\"k\"}: entries must all be names of item properties"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["n"],"items":{"type":"object","properties":{"n":{"type":"string"}}}}}}"#),
                       ["\(root).properties[a].items.properties[n].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"bag","items":{"type":"string"}}}}"#),
                       ["\(root).properties[a].x-kubernetes-list-type: Unsupported value: \"bag\": supported values: \"atomic\", \"set\", \"map\""])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"string","x-kubernetes-map-type":"atomic"}}}"#),
                       ["\(root).properties[a].type: Invalid value: \"string\": must be object if x-kubernetes-map-type is specified"])
    }

    func testDefaultsMustValidateAndBePruned() {
        let root = "spec.versions[0].schema.openAPIV3Schema"
        XCTAssertEqual(errors(#"{"type":"object","properties":{"r":{"type":"integer","minimum":1,"default":0}}}"#),
                       ["\(root).properties[r].default: Invalid value: 0:  in body should be greater than or equal to 1"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"o":{"type":"object","properties":{"a":{"type":"string"}},"default":{"a":"x","b":"y"}}}}"#),
                       ["\(root).properties[o].default: Invalid value: map[string]interface {}{\"a\":\"x\", \"b\":\"y\"}: must not have unknown fields"])
        XCTAssertEqual(errors(#"{"type":"object","properties":{"o":{"type":"object","required":["a"],"properties":{"a":{"type":"string"}},"default":{}}}}"#),
                       ["\(root).properties[o].default.a: Required value"])
    }

    func testWrongMemberTypeIsADecodingError() {
        XCTAssertEqual(errors(#"{"type":"object","properties":{"a":{"type":"string","maxLength":"ten"}}}"#),
                       ["spec.versions[0].schema.openAPIV3Schema.properties[a].maxLength: Invalid value: \"ten\": must be of type integer"])
    }

    func testThrowingInitializerReportsAllErrors() {
        XCTAssertThrowsError(try StructuralSchema(openAPIV3Schema: CustomResourceSchemaFixture.json(#"{"properties":{"a":{}}}"#), path: "x")) { error in
            XCTAssertEqual((error as? CustomResourceSchemaError)?.errors.map(\.description), [
                "x.properties[a].type: Required value: must not be empty for specified object fields",
                "x.type: Required value: must not be empty at the root",
            ])
        }
    }

    func testStatusSubresourceRestrictsTheRoot() {
        let json = CustomResourceSchemaFixture.json
        XCTAssertEqual(StructuralSchema.validateRootForStatusSubresource(openAPIV3Schema: json(#"{"type":"object","properties":{"status":{"type":"object"}}}"#), path: "spec.versions[0].schema"), [])
        XCTAssertEqual(StructuralSchema.validateRootForStatusSubresource(openAPIV3Schema: json(#"{"type":"object","anyOf":[{"required":["spec"]}]}"#), path: "spec.versions[0].schema").map(\.description),
                       ["spec.versions[0].schema.openAPIV3Schema: Invalid value: only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled"])
    }

    func testOptionalOldSelfIsRefused() {
        let errs = errors(#"{"type":"object","properties":{"a":{"type":"string","x-kubernetes-validations":[{"rule":"self == oldSelf","optionalOldSelf":true}]}}}"#)
        XCTAssertEqual(errs, ["spec.versions[0].schema.openAPIV3Schema.properties[a].x-kubernetes-validations[0].optionalOldSelf: Invalid value: true: optionalOldSelf is not supported by Kubelite's CEL subset"])
    }

    func testSchemasOfEveryVersion() {
        let spec = CustomResourceSchemaFixture.json(#"""
        {"versions":[
          {"name":"v1","served":true,"storage":true,"subresources":{"status":{}},"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object"}}}}},
          {"name":"v2","served":true,"storage":false},
          {"name":"v3","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{}}}}}]}
        """#)
        let (schemas, errors) = StructuralSchema.versions(ofCRDSpec: spec)
        XCTAssertEqual(Array(schemas.keys), ["v1"])
        XCTAssertEqual(errors.map(\.description), [
            "spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required",
            "spec.versions[2].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
        ])
    }
}
