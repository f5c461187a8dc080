import XCTest
@testable import APIMachinery

/// Validation of custom objects: the 422 causes kube-apiserver returns, path and message.
final class CustomResourceValueValidationTests: XCTestCase {
    private func errors(_ schema: String, _ object: String, old: String? = nil) -> [String] {
        guard let s = CustomResourceSchemaFixture.schema(schema) else { return ["<schema rejected>"] }
        return s.validate(CustomResourceSchemaFixture.json(object), old: old.map(CustomResourceSchemaFixture.json)).map(\.description)
    }

    private func spec(_ properties: String, required: String = "[]") -> String {
        #"{"type":"object","properties":{"spec":{"type":"object","required":\#(required),"properties":\#(properties)}}}"#
    }

    func testTypes() {
        let s = spec(#"{"replicas":{"type":"integer"},"name":{"type":"string"},"on":{"type":"boolean"},"ratio":{"type":"number"},"tags":{"type":"array","items":{"type":"string"}}}"#)
        XCTAssertEqual(errors(s, #"{"spec":{"replicas":"three"}}"#),
                       ["spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\""])
        XCTAssertEqual(errors(s, #"{"spec":{"replicas":1.5}}"#),
                       ["spec.replicas: Invalid value: \"number\": spec.replicas in body must be of type integer: \"number\""])
        XCTAssertEqual(errors(s, #"{"spec":{"replicas":2.0,"ratio":1,"name":"a","on":true,"tags":["x"]}}"#), [])
        XCTAssertEqual(errors(s, #"{"spec":{"on":"yes"}}"#),
                       ["spec.on: Invalid value: \"string\": spec.on in body must be of type boolean: \"string\""])
        XCTAssertEqual(errors(s, #"{"spec":{"tags":[1]}}"#),
                       ["spec.tags[0]: Invalid value: \"integer\": spec.tags[0] in body must be of type string: \"integer\""])
        XCTAssertEqual(errors(s, #"{"spec":"x"}"#),
                       ["spec: Invalid value: \"string\": spec in body must be of type object: \"string\""])
    }

    func testNullAndNullable() {
        let s = spec(#"{"a":{"type":"string"},"b":{"type":"string","nullable":true}}"#)
        XCTAssertEqual(errors(s, #"{"spec":{"a":null,"b":null}}"#),
                       ["spec.a: Invalid value: \"null\": spec.a in body must be of type string: \"null\""])
    }

    func testRequired() {
        let s = #"{"type":"object","required":["spec"],"properties":{"spec":{"type":"object","required":["image"],"properties":{"image":{"type":"string"}}}}}"#
        XCTAssertEqual(errors(s, #"{}"#), ["spec: Required value"])
        XCTAssertEqual(errors(s, #"{"spec":{}}"#), ["spec.image: Required value"])
    }

    func testEnum() {
        let s = spec(#"{"mode":{"type":"string","enum":["a","b"]},"level":{"type":"integer","enum":[1,2]}}"#)
        XCTAssertEqual(errors(s, #"{"spec":{"mode":"x"}}"#),
                       ["spec.mode: Unsupported value: \"x\": supported values: \"a\", \"b\""])
        XCTAssertEqual(errors(s, #"{"spec":{"level":3}}"#),
                       ["spec.level: Unsupported value: 3: supported values: \"1\", \"2\""])
        XCTAssertEqual(errors(s, #"{"spec":{"mode":"b","level":2.0}}"#), [])
    }

    func testStringLengthsAndPattern() {
        let s = spec(#"{"name":{"type":"string","minLength":2,"maxLength":5,"pattern":"^[a-z]+$"},"one":{"type":"string","maxLength":1}}"#)
        XCTAssertEqual(errors(s, #"{"spec":{"name":"abcdefg"}}"#), ["spec.name: Too long: may not be more than 5 bytes"])
        XCTAssertEqual(errors(s, #"{"spec":{"one":"ab"}}"#), ["spec.one: Too long: may not be more than 1 byte"])
        XCTAssertEqual(errors(s, #"{"spec":{"name":"a"}}"#),
                       ["spec.name: Invalid value: \"a\": spec.name in body should be at least 2 chars long"])
        XCTAssertEqual(errors(s, #"{"spec":{"name":"AB"}}"#),
                       ["spec.name: Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'"])
        XCTAssertEqual(errors(s, #"{"spec":{"name":"héllo"}}"#),
                       ["spec.name: Invalid value: \"héllo\": spec.name in body should match '^[a-z]+$'"])
    }

    func testNumericBounds() {
        let s = spec(#"{"r":{"type":"integer","minimum":0,"maximum":10},"x":{"type":"integer","exclusiveMinimum":true,"minimum":0,"exclusiveMaximum":true,"maximum":10},"m":{"type":"integer","multipleOf":5},"f":{"type":"number","maximum":1.5}}"#)
        XCTAssertEqual(errors(s, #"{"spec":{"r":-1}}"#),
                       ["spec.r: Invalid value: -1: spec.r in body should be greater than or equal to 0"])
        XCTAssertEqual(errors(s, #"{"spec":{"r":11}}"#),
                       ["spec.r: Invalid value: 11: spec.r in body should be less than or equal to 10"])
        XCTAssertEqual(errors(s, #"{"spec":{"x":0}}"#), ["spec.x: Invalid value: 0: spec.x in body should be greater than 0"])
        XCTAssertEqual(errors(s, #"{"spec":{"x":10}}"#), ["spec.x: Invalid value: 10: spec.x in body should be less than 10"])
        XCTAssertEqual(errors(s, #"{"spec":{"m":7}}"#), ["spec.m: Invalid value: 7: spec.m in body should be a multiple of 5"])
        XCTAssertEqual(errors(s, #"{"spec":{"f":2.5}}"#), ["spec.f: Invalid value: 2.5: spec.f in body should be less than or equal to 1.5"])
        XCTAssertEqual(errors(s, #"{"spec":{"r":10,"x":5,"m":10,"f":1.5}}"#), [])
    }

    func testArrayAndObjectSizes() {
        let s = spec(#"{"l":{"type":"array","minItems":1,"maxItems":2,"items":{"type":"string"}},"o":{"type":"object","minProperties":1,"maxProperties":2,"additionalProperties":{"type":"string"}}}"#)
        XCTAssertEqual(errors(s, #"{"spec":{"l":[]}}"#), ["spec.l: Invalid value: 0: spec.l in body should have at least 1 items"])
        XCTAssertEqual(errors(s, #"{"spec":{"l":["a","b","c"]}}"#), ["spec.l: Too many: 3: must have at most 2 items"])
        XCTAssertEqual(errors(s, #"{"spec":{"o":{}}}"#), ["spec.o: Invalid value: 0: spec.o in body should have at least 1 properties"])
        XCTAssertEqual(errors(s, #"{"spec":{"o":{"a":"1","b":"2","c":"3"}}}"#), ["spec.o: Too many: 3: must have at most 2 items"])
        XCTAssertEqual(errors(s, #"{"spec":{"o":{"a":1}}}"#),
                       ["spec.o.a: Invalid value: \"integer\": spec.o.a in body must be of type string: \"integer\""])
    }

    func testFormats() {
        let s = spec(#"{"e":{"type":"string","format":"email"},"ip":{"type":"string","format":"ipv4"},"t":{"type":"string","format":"date-time"},"u":{"type":"string","format":"uuid"},"b":{"type":"string","format":"byte"},"h":{"type":"string","format":"hostname"},"c":{"type":"string","format":"cidr"},"d":{"type":"string","format":"date"},"n":{"type":"string","format":"made-up"},"i":{"type":"integer","format":"int32"}}"#)
        XCTAssertEqual(errors(s, #"{"spec":{"e":"a@example.com","ip":"10.0.0.1","t":"2024-01-02T03:04:05Z","u":"123e4567-e89b-12d3-a456-426614174000","b":"aGVsbG8=","h":"example.com","c":"10.0.0.0/8","d":"2024-02-29","n":"anything","i":9999999999}}"#), [])
        XCTAssertEqual(errors(s, #"{"spec":{"e":"nope"}}"#),
                       ["spec.e: Invalid value: \"nope\": spec.e in body must be of type email: \"nope\""])
        XCTAssertEqual(errors(s, #"{"spec":{"ip":"10.0.0.256"}}"#),
                       ["spec.ip: Invalid value: \"10.0.0.256\": spec.ip in body must be of type ipv4: \"10.0.0.256\""])
        XCTAssertEqual(errors(s, #"{"spec":{"t":"yesterday"}}"#),
                       ["spec.t: Invalid value: \"yesterday\": spec.t in body must be of type date-time: \"yesterday\""])
        XCTAssertEqual(errors(s, #"{"spec":{"d":"2023-02-29"}}"#),
                       ["spec.d: Invalid value: \"2023-02-29\": spec.d in body must be of type date: \"2023-02-29\""])
        XCTAssertEqual(errors(s, #"{"spec":{"u":"xyz","c":"10.0.0.0/33"}}"#), [
            "spec.u: Invalid value: \"xyz\": spec.u in body must be of type uuid: \"xyz\"",
            "spec.c: Invalid value: \"10.0.0.0/33\": spec.c in body must be of type cidr: \"10.0.0.0/33\"",
        ])
    }

    func testIntOrString() {
        let s = spec(#"{"port":{"x-kubernetes-int-or-string":true}}"#)
        XCTAssertEqual(errors(s, #"{"spec":{"port":8080}}"#), [])
        XCTAssertEqual(errors(s, #"{"spec":{"port":"http"}}"#), [])
        XCTAssertEqual(errors(s, #"{"spec":{"port":true}}"#),
                       ["spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\""])
    }

    func testCompositions() {
        let s = spec(#"{"a":{"type":"string","oneOf":[{"pattern":"^a"},{"pattern":"b$"}]},"n":{"type":"integer","not":{"minimum":10}},"x":{"type":"string","anyOf":[{"minLength":3},{"pattern":"^z"}]},"y":{"type":"string","allOf":[{"minLength":2},{"maxLength":3}]}}"#)
        XCTAssertEqual(errors(s, #"{"spec":{"a":"ab"}}"#),
                       ["<nil>: Invalid value: \"\": \"spec.a\" must validate one and only one schema (oneOf). Found 2 valid alternatives"])
        XCTAssertEqual(errors(s, #"{"spec":{"a":"cc"}}"#), [
            "<nil>: Invalid value: \"\": \"spec.a\" must validate one and only one schema (oneOf). Found none valid",
            "spec.a: Invalid value: \"cc\": spec.a in body should match '^a'",
        ])
        XCTAssertEqual(errors(s, #"{"spec":{"n":12}}"#), ["<nil>: Invalid value: \"\": \"spec.n\" must not validate the schema (not)"])
        XCTAssertEqual(errors(s, #"{"spec":{"x":"zz","n":3,"a":"a"}}"#), [])
        XCTAssertEqual(errors(s, #"{"spec":{"x":"yy"}}"#), [
            "<nil>: Invalid value: \"\": \"spec.x\" must validate at least one schema (anyOf)",
            "spec.x: Invalid value: \"yy\": spec.x in body should be at least 3 chars long",
        ])
        XCTAssertEqual(errors(s, #"{"spec":{"y":"abcd"}}"#), [
            "spec.y: Too long: may not be more than 3 bytes",
            "<nil>: Invalid value: \"\": \"spec.y\" must validate all the schemas (allOf)",
        ])
    }

    func testListSetsAndMapsRejectDuplicates() {
        let s = spec(#"{"s":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"v":{"type":"integer"}}}}}"#)
        XCTAssertEqual(errors(s, #"{"spec":{"s":["a","b","a","a","b"]}}"#), ["spec.s[2]: Duplicate value: \"a\"", "spec.s[4]: Duplicate value: \"b\""])
        XCTAssertEqual(errors(s, #"{"spec":{"m":[{"name":"x"},"y"]}}"#).dropFirst().first,
                       "spec.m[1]: Invalid value: \"y\": must be an object for an array of list-type map")
        XCTAssertEqual(errors(s, #"{"spec":{"m":[{"name":"x","v":1},{"name":"x","v":2}]}}"#),
                       ["spec.m[1]: Duplicate value: map[string]interface {}{\"name\":\"x\"}"])
        XCTAssertEqual(errors(s, #"{"spec":{"s":["a","b"],"m":[{"name":"x"},{"name":"y"}]}}"#), [])
    }

    func testEmbeddedResources() {
        let s = spec(#"{"t":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}"#)
        XCTAssertEqual(errors(s, #"{"spec":{"t":{}}}"#),
                       ["spec.t.apiVersion: Required value", "spec.t.kind: Required value"])
        XCTAssertEqual(errors(s, #"{"spec":{"t":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}}}}}"#), [])
        let errs = errors(s, #"{"spec":{"t":{"apiVersion":"a/b/c","kind":"Pod_1","metadata":{"name":"a/b","labels":{"bad key!":"x"}}}}}"#)
        XCTAssertEqual(errs.count, 4)
        XCTAssertEqual(errs.first, "spec.t.apiVersion: Invalid value: \"a/b/c\": unexpected GroupVersion string: a/b/c")
        XCTAssertTrue(errs[1].hasPrefix("spec.t.kind: Invalid value: \"Pod_1\": may have mixed case, but should otherwise match: a DNS-1035 label"), errs[1])
        XCTAssertEqual(errs[2], "spec.t.metadata.name: Invalid value: \"a/b\": may not contain '/'")
        XCTAssertTrue(errs[3].hasPrefix("spec.t.metadata.labels: Invalid value: \"bad key!\""), errs[3])
    }

    func testUnchangedValuesAreRatchetedOnUpdate() {
        let s = spec(#"{"a":{"type":"string","maxLength":3},"b":{"type":"integer","minimum":0},"m":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","required":["k"],"properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":5}}}}}"#)
        let old = #"{"spec":{"a":"toolong","b":1,"m":[{"k":"x","v":9},{"k":"y","v":1}]}}"#
        XCTAssertEqual(errors(s, #"{"spec":{"a":"toolong","b":2,"m":[{"k":"y","v":1},{"k":"x","v":9}]}}"#, old: old), [])
        XCTAssertEqual(errors(s, #"{"spec":{"a":"toolong","b":-1,"m":[{"k":"x","v":8}]}}"#, old: old), [
            "spec.b: Invalid value: -1: spec.b in body should be greater than or equal to 0",
            "spec.m[0].v: Invalid value: 8: spec.m[0].v in body should be less than or equal to 5",
        ])
    }
}
