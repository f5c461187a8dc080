import XCTest
@testable import APIMachinery

final class LabelSelectorTests: XCTestCase {
    func testObjectSelectorMatching() {
        XCTAssertFalse(LabelSelector(json: nil).matches([:]))
        XCTAssertFalse(LabelSelector(json: .null).matches(["a": "b"]))
        XCTAssertTrue(LabelSelector(json: [:]).matches(["a": "b"]))
        XCTAssertTrue(LabelSelector(json: [:]).isEmpty)
        XCTAssertFalse(LabelSelector(json: nil).isEmpty)
        let selector = LabelSelector(json: ["matchLabels": ["app": "web"], "matchExpressions": [
            ["key": "tier", "operator": "In", "values": ["front", "edge"]],
            ["key": "env", "operator": "NotIn", "values": ["prod"]],
            ["key": "team", "operator": "Exists"],
            ["key": "legacy", "operator": "DoesNotExist"],
        ]])
        XCTAssertTrue(selector.matches(["app": "web", "tier": "edge", "team": "x"]))
        XCTAssertTrue(selector.matches(["app": "web", "tier": "front", "team": "", "env": "dev"]))
        XCTAssertFalse(selector.matches(["app": "web", "tier": "front", "team": "x", "env": "prod"]))
        XCTAssertFalse(selector.matches(["app": "web", "tier": "front", "team": "x", "legacy": "1"]))
        XCTAssertFalse(selector.matches(["app": "web", "tier": "back", "team": "x"]))
        XCTAssertFalse(selector.matches(["app": "db", "tier": "front", "team": "x"]))
        XCTAssertEqual(selector.queryString, "app=web,env notin (prod),!legacy,team,tier in (edge,front)")
        XCTAssertFalse(LabelSelector(json: ["matchExpressions": [["key": "a", "operator": "Bogus"]]]).matches(["a": "b"]))
    }

    func testObjectSelectorValidation() {
        XCTAssertEqual(LabelSelector.validate(nil, path: "spec.selector"), [])
        let errs = LabelSelector.validate(["matchLabels": ["app": "-x"], "matchExpressions": [
            ["key": "a", "operator": "In"],
            ["key": "b", "operator": "Exists", "values": ["v"]],
            ["key": "c/d/e", "operator": "Near"],
            ["key": "f", "operator": "NotIn", "values": ["ok", "b@d"]],
        ]], path: "spec.selector").map(\.description)
        XCTAssertEqual(errs.count, 6)
        XCTAssertTrue(errs[0].hasPrefix("spec.selector.matchLabels: Invalid value: \"-x\": a valid label must be"))
        XCTAssertEqual(errs[1], "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'")
        XCTAssertEqual(errs[2], "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
        XCTAssertEqual(errs[3], "spec.selector.matchExpressions[2].operator: Invalid value: \"Near\": not a valid selector operator")
        XCTAssertTrue(errs[4].hasPrefix("spec.selector.matchExpressions[2].key: Invalid value: \"c/d/e\": a qualified name"))
        XCTAssertTrue(errs[5].hasPrefix("spec.selector.matchExpressions[3].values[1]: Invalid value: \"b@d\": a valid label must be"))
        XCTAssertEqual(LabelSelector.validate(["matchExpressions": [["key": "f", "operator": "In", "values": ["b@d"]]]],
                                              path: "s", allowInvalidLabelValueInSelector: true), [])
    }

    private func parse(_ s: String) throws -> LabelSelectorQuery { try LabelSelectorQuery(parsing: s) }

    func testQueryParsingAndMatching() throws {
        XCTAssertTrue(try parse("").isEmpty)
        XCTAssertTrue(try parse("").matches(["a": "b"]))
        let cases: [(String, [String: String], Bool)] = [
            ("x=a", ["x": "a"], true), ("x=a", ["x": "b"], false), ("x==a", ["x": "a"], true),
            ("x!=a", ["x": "b"], true), ("x!=a", [:], true), ("x!=a", ["x": "a"], false),
            ("x in (a,b)", ["x": "b"], true), ("x in (a,b)", [:], false), ("x notin (a,b)", [:], true),
            ("x notin (a,b)", ["x": "a"], false), ("x", ["x": ""], true), ("x", [:], false), ("!x", [:], true),
            ("!x", ["x": "1"], false), ("x>1", ["x": "2"], true), ("x>1", ["x": "1"], false), ("x<1", ["x": "0"], true),
            ("x>1", ["x": "z"], false), ("x=a,y", ["x": "a", "y": "1"], true), ("x=a,y", ["x": "a"], false),
            ("x=", ["x": ""], true), ("x in (,a)", ["x": ""], true), ("x in ()", ["x": ""], true),
            ("x in (in)", ["x": "in"], true), (" x = a , y != b ", ["x": "a"], true), ("example.com/a=b", ["example.com/a": "b"], true),
        ]
        for (text, labels, expected) in cases {
            XCTAssertEqual(try parse(text).matches(labels), expected, text)
        }
        XCTAssertEqual(try parse("z=1,a in (c,b),!m,k").description, "a in (b,c),k,!m,z=1")
        XCTAssertEqual(try parse("x in (a,,b)").requirements[0].values, ["", "a", "b"])
    }

    func testQueryErrors() {
        let qualified = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        let labelValue = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        let cases: [(String, String)] = [
            ("x=a b", "found 'b', expected: ',' or 'end of string'"),
            ("x=a,", "found '', expected: identifier after ','"),
            (",x", "found ',', expected: !, identifier, or 'end of string'"),
            ("x in a", "unable to parse requirement: found 'a' expected: '('"),
            ("x in (a", "unable to parse requirement: found '', expected: ',' or ')'"),
            ("x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
            ("x in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier"),
            ("x (a)", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"),
            ("x=(", "unable to parse requirement: found '(', expected: identifier"),
            ("!=a", "found '!=', expected: !, identifier, or 'end of string'"),
            ("x=>a", "unable to parse requirement: found '>', expected: identifier"),
            ("x<=a", "unable to parse requirement: found '=', expected: identifier"),
            ("x=a=b", "found '=', expected: ',' or 'end of string'"),
            ("-x=a", "unable to parse requirement: <nil>: Invalid value: \"-x\": " + qualified),
            ("x=a@b", "unable to parse requirement: values[0][x]: Invalid value: \"a@b\": " + labelValue),
            ("x>a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"),
            ("x>a@", "unable to parse requirement: [values[0]: Invalid value: \"a@\": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]: Invalid value: \"a@\": " + labelValue + "]"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                let apiError = error as? APIError
                XCTAssertEqual(apiError?.code, 400, text)
                XCTAssertEqual(apiError?.reason, "BadRequest", text)
                XCTAssertEqual(apiError?.message, message, text)
            }
        }
    }
}
