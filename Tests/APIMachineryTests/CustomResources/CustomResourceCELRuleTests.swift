import XCTest
@testable import APIMachinery

/// `x-kubernetes-validations`: the CEL subset, runtime messages and CRD-time rejection.
final class CustomResourceCELRuleTests: XCTestCase {
    private func json(_ s: String) -> JSON { CustomResourceSchemaFixture.json(s) }

    /// Evaluates one expression with `self` bound to `value`.
    private func eval(_ rule: String, _ value: String = "{}", old: String? = nil) throws -> JSON {
        let program = try CELProgram.compile(rule, schema: nil, expecting: "dyn")
        return try program.evaluate(self: json(value), oldSelf: old.map(json))
    }

    func testOperatorsAndLiterals() throws {
        XCTAssertEqual(try eval("1 + 2 * 3 == 7 && (10 - 4) / 2 == 3 && 7 % 3 == 1"), true)
        XCTAssertEqual(try eval("1 < 2.5 && 3.0 >= 3 && 'a' < 'b' && !(1 > 2)"), true)
        XCTAssertEqual(try eval("true ? 'x' : 'y'"), "x")
        XCTAssertEqual(try eval("'ab' + 'cd'"), "abcd")
        XCTAssertEqual(try eval("[1, 2] + [3]"), [1, 2, 3])
        XCTAssertEqual(try eval("2 in [1, 2] && 'k' in {'k': 1} && !(3 in [1])"), true)
        XCTAssertEqual(try eval("-5 < 0 && -(2) == -2"), true)
        XCTAssertThrowsError(try eval("9223372036854775807 + 1")) { XCTAssertEqual(($0 as? CELEvaluationError)?.message, "integer overflow") }
        XCTAssertThrowsError(try eval("1 / 0")) { XCTAssertEqual(($0 as? CELEvaluationError)?.message, "division by zero") }
        XCTAssertThrowsError(try eval("1 + 1.0")) { XCTAssertEqual(($0 as? CELEvaluationError)?.message, "no such overload: +(int, double)") }
    }

    func testSelfFieldsHasSizeAndIndex() throws {
        let obj = #"{"name":"web-1","items":["a","b"],"m":{"k":"v"}}"#
        XCTAssertEqual(try eval("self.name.startsWith('web') && self.name.endsWith('-1') && self.name.contains('b-')", obj), true)
        XCTAssertEqual(try eval("self.name.matches('^[a-z]+-[0-9]$')", obj), true)
        XCTAssertEqual(try eval("size(self.items) == 2 && self.items.size() == 2 && self.name.size() == 5", obj), true)
        XCTAssertEqual(try eval("has(self.name) && !has(self.other) && self.items[1] == 'b' && self.m['k'] == 'v'", obj), true)
        XCTAssertThrowsError(try eval("self.other == 1", obj)) { XCTAssertEqual(($0 as? CELEvaluationError)?.message, "no such key: other") }
        XCTAssertThrowsError(try eval("self.items[5] == 'x'", obj)) { XCTAssertEqual(($0 as? CELEvaluationError)?.message, "index out of bounds: 5") }
        XCTAssertEqual(try eval("self.name.lowerAscii() == 'web-1' && 'AbC'.upperAscii() == 'ABC' && 'a,b'.split(',') == ['a', 'b']", obj), true)
        XCTAssertEqual(try eval("false && self.other == 1", obj), false)
        XCTAssertEqual(try eval("self.other == 1 || true", obj), true)
    }

    func testMacros() throws {
        let obj = #"{"ports":[{"n":"a","p":80},{"n":"b","p":443}]}"#
        XCTAssertEqual(try eval("self.ports.all(x, x.p > 0)", obj), true)
        XCTAssertEqual(try eval("self.ports.exists(x, x.p == 443)", obj), true)
        XCTAssertEqual(try eval("self.ports.exists_one(x, x.p > 79)", obj), false)
        XCTAssertEqual(try eval("self.ports.map(x, x.n)", obj), ["a", "b"])
        XCTAssertEqual(try eval("self.ports.map(x, x.p > 100, x.n)", obj), ["b"])
        XCTAssertEqual(try eval("self.ports.filter(x, x.p < 100).size() == 1", obj), true)
        XCTAssertEqual(try eval("{'a': 1, 'b': 2}.all(k, k in ['a', 'b'])"), true)
        XCTAssertEqual(try eval("self.ports.map(x, x.p).isSorted() && self.ports.map(x, x.p).sum() == 523", obj), true)
    }

    func testTransitionRuleUsesOldSelf() throws {
        XCTAssertEqual(try eval("self == oldSelf", "1", old: "1"), true)
        let program = try CELProgram.compile("self >= oldSelf", schema: nil)
        XCTAssertTrue(program.usesOldSelf)
    }

    private let widget = #"""
    {"type":"object","properties":{"spec":{"type":"object",
      "x-kubernetes-validations":[
        {"rule":"self.minReplicas <= self.maxReplicas","message":"minReplicas must not exceed maxReplicas"},
        {"rule":"self.mode == oldSelf.mode","message":"mode is immutable","fieldPath":".mode","reason":"FieldValueForbidden"},
        {"rule":"!has(self.name) || self.name.size() < 5"}],
      "properties":{"minReplicas":{"type":"integer"},"maxReplicas":{"type":"integer"},"mode":{"type":"string"},"name":{"type":"string"},
        "ratio":{"type":"number","x-kubernetes-validations":[{"rule":"self > 0.5","messageExpression":"'ratio ' + string(self) + ' is too small'"}]}}}}}
    """#

    func testRuleFailuresCarryUpstreamMessagesAndPaths() {
        guard let s = CustomResourceSchemaFixture.schema(widget) else { return }
        XCTAssertEqual(s.validate(json(#"{"spec":{"minReplicas":3,"maxReplicas":1,"mode":"a","name":"toolong"}}"#)).map(\.description), [
            "spec: Invalid value: \"object\": minReplicas must not exceed maxReplicas",
            "spec: Invalid value: \"object\": failed rule: !has(self.name) || self.name.size() < 5",
        ])
        XCTAssertEqual(s.validate(json(#"{"spec":{"minReplicas":1,"maxReplicas":2,"mode":"a","ratio":1}}"#)).map(\.description), [])
        XCTAssertEqual(s.validate(json(#"{"spec":{"minReplicas":1,"maxReplicas":2,"mode":"a","ratio":0.25}}"#)).map(\.description),
                       ["spec.ratio: Invalid value: \"number\": ratio 0.25 is too small"])
        XCTAssertEqual(s.validate(json(#"{"spec":{"maxReplicas":2,"mode":"a"}}"#)).map(\.description),
                       ["spec: Invalid value: \"object\": no such key: minReplicas evaluating rule: minReplicas must not exceed maxReplicas"])
    }

    func testTransitionRulesRunOnlyOnUpdate() {
        guard let s = CustomResourceSchemaFixture.schema(widget) else { return }
        let new = json(#"{"spec":{"minReplicas":1,"maxReplicas":2,"mode":"b"}}"#)
        XCTAssertEqual(s.validate(new).map(\.description), [])
        XCTAssertEqual(s.validate(new, old: json(#"{"spec":{"minReplicas":1,"maxReplicas":2,"mode":"a"}}"#)).map(\.description),
                       ["spec.mode: Forbidden: mode is immutable"])
    }

    func testUnchangedValuesAreNotRecheckedOnUpdate() {
        guard let s = CustomResourceSchemaFixture.schema(widget) else { return }
        let invalid = json(#"{"spec":{"minReplicas":3,"maxReplicas":1,"mode":"a"}}"#)
        XCTAssertEqual(s.validate(invalid, old: invalid).map(\.description), [])
    }

    func testRulesAreSkippedWhenTheObjectHasTypeErrors() {
        guard let s = CustomResourceSchemaFixture.schema(widget) else { return }
        XCTAssertEqual(s.validate(json(#"{"spec":{"minReplicas":"x","maxReplicas":1,"mode":"a"}}"#)).map(\.description), [
            "spec.minReplicas: Invalid value: \"string\": spec.minReplicas in body must be of type integer: \"string\"",
            "<nil>: Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
        ])
    }

    func testRootRulesReportANilPath() {
        guard let s = CustomResourceSchemaFixture.schema(#"{"type":"object","x-kubernetes-validations":[{"rule":"has(self.spec)","message":"spec is required"}],"properties":{"spec":{"type":"object"}}}"#) else { return }
        XCTAssertEqual(s.validate(json("{}")).map(\.description), ["<nil>: Invalid value: \"object\": spec is required"])
    }

    func testUnsupportedAndInvalidRulesAreRejectedAtCRDValidation() {
        let root = "spec.versions[0].schema.openAPIV3Schema"
        func errors(_ rules: String, _ props: String = #"{"a":{"type":"string"}}"#, listType: String = "") -> [String] {
            CustomResourceSchemaFixture.crdErrors(#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":\#(rules),"properties":\#(props)}}}"#)
        }
        let unsupported = errors(#"[{"rule":"quantity(self.a).isGreaterThan(quantity('1'))"}]"#)
        XCTAssertEqual(unsupported.count, 1)
        XCTAssertTrue(unsupported[0].hasPrefix(#"\#(root).properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"quantity(self.a).isGreaterThan(quantity('1'))", Message:"", "#), unsupported[0])
        XCTAssertTrue(unsupported[0].contains("compilation failed: ERROR: <input>:1:1: undeclared reference to 'quantity' (in container ''): not supported by Kubelite's CEL subset"), unsupported[0])

        let undefined = errors(#"[{"rule":"self.b == 'x'"}]"#)
        XCTAssertEqual(undefined.count, 1)
        XCTAssertTrue(undefined[0].hasSuffix("compilation failed: ERROR: <input>:1:5: undefined field 'b'\n | self.b == 'x'\n | ....^"), undefined[0])

        XCTAssertTrue(errors(#"[{"rule":"self.a"}]"#).first?.hasSuffix(": cel expression must evaluate to a bool") ?? false)
        XCTAssertTrue(errors(#"[{"rule":"self.a.find('x') == ''"}]"#).first?.contains("undeclared reference to 'find'") ?? false)
        XCTAssertEqual(errors(#"[{"rule":"  "}]"#), ["\(root).properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified"])
        XCTAssertEqual(errors(#"[{"rule":"true","reason":"Teapot"}]"#),
                       ["\(root).properties[spec].x-kubernetes-validations[0].reason: Unsupported value: \"Teapot\": supported values: \"FieldValueDuplicate\", \"FieldValueForbidden\", \"FieldValueInvalid\", \"FieldValueRequired\""])
        XCTAssertEqual(errors(#"[{"rule":"true","fieldPath":".nope"}]"#),
                       ["\(root).properties[spec].x-kubernetes-validations[0].fieldPath: Invalid value: \".nope\": fieldPath must be a valid path"])
        XCTAssertEqual(errors(#"[{"rule":"true","message":"two\nlines"}]"#),
                       ["\(root).properties[spec].x-kubernetes-validations[0].message: Invalid value: \"two\\nlines\": message must not contain line breaks"])
    }

    func testRootMetadataExposesOnlyNameAndGenerateName() {
        let errs = CustomResourceSchemaFixture.crdErrors(#"{"type":"object","x-kubernetes-validations":[{"rule":"self.metadata.creationTimestamp != ''"},{"rule":"self.metadata.name.size() < 10"}],"properties":{"metadata":{"type":"object"}}}"#)
        XCTAssertEqual(errs.count, 1)
        XCTAssertTrue(errs[0].hasPrefix("spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule: Invalid value: "), errs[0])
        XCTAssertTrue(errs[0].hasSuffix("compilation failed: ERROR: <input>:1:14: undefined field 'creationTimestamp'\n | self.metadata.creationTimestamp != ''\n | .............^"), errs[0])
    }

    func testOldSelfIsRejectedWhereItemsCannotBeCorrelated() {
        let errs = CustomResourceSchemaFixture.crdErrors(#"""
        {"type":"object","properties":{"list":{"type":"array","items":{"type":"string","x-kubernetes-validations":[{"rule":"self == oldSelf"}]}}}}
        """#)
        XCTAssertEqual(errs, ["spec.versions[0].schema.openAPIV3Schema.properties[list].items.x-kubernetes-validations[0].rule: Invalid value: \"self == oldSelf\": oldSelf cannot be used on the uncorrelatable portion of the schema within spec.versions[0].schema.openAPIV3Schema.properties[list]"])
    }

    func testSyntaxErrorsAreCompileErrors() {
        XCTAssertThrowsError(try CELProgram.compile("self.a ==", schema: nil)) { error in
            XCTAssertEqual((error as? CELCompileError)?.description, "ERROR: <input>:1:10: Syntax error: mismatched input <EOF>\n | self.a ==\n | .........^")
        }
    }
}
