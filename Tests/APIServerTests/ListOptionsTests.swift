import APIMachinery
import XCTest

/// Each malformed list parameter is answered with upstream's Status, in upstream's order of checks.
final class ListOptionsTests: XCTestCase {
    let path = "/api/v1/namespaces/default/configmaps"

    func assertStatus(_ api: InProcessAPI, _ query: String, _ code: Int, _ reason: String, _ message: String,
                      file: StaticString = #filePath, line: UInt = #line) {
        let response = api.call("GET", "\(path)?\(query)")
        XCTAssertEqual(response.status, code, response.text, file: file, line: line)
        XCTAssertEqual(response.json["kind"], "Status", file: file, line: line)
        XCTAssertEqual(response.json["reason"]?.stringValue, reason, file: file, line: line)
        XCTAssertEqual(response.json["message"]?.stringValue, message, file: file, line: line)
        XCTAssertEqual(response.json["code"]?.intValue, Int64(code), file: file, line: line)
    }

    func testBadResourceVersion() throws {
        let api = try InProcessAPI()
        assertStatus(api, "resourceVersion=abc", 400, "BadRequest",
                     #"invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax"#)
        assertStatus(api, "resourceVersion=-1", 400, "BadRequest",
                     #"invalid resource version: resourceVersion: Invalid value: "-1": strconv.ParseUint: parsing "-1": invalid syntax"#)
        assertStatus(api, "resourceVersion=99999999999999999999", 400, "BadRequest",
                     #"invalid resource version: resourceVersion: Invalid value: "99999999999999999999": strconv.ParseUint: parsing "99999999999999999999": value out of range"#)
        let get = api.call("GET", "/api/v1/namespaces/default/configmaps/x?resourceVersion=abc")
        XCTAssertEqual(get.status, 400)
        XCTAssertEqual(get.json["message"]?.stringValue,
                       #"invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax"#)
    }

    func testBadResourceVersionMatch() throws {
        let api = try InProcessAPI()
        let invalid = #"ListOptions.meta.k8s.io "" is invalid: "#
        assertStatus(api, "resourceVersionMatch=Exact", 422, "Invalid",
                     invalid + "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided")
        assertStatus(api, "resourceVersion=5&resourceVersionMatch=Newest", 422, "Invalid",
                     invalid + #"resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", """#)
        assertStatus(api, "resourceVersion=0&resourceVersionMatch=Exact", 422, "Invalid",
                     invalid + #"resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0""#)
        assertStatus(api, "resourceVersionMatch=NotOlderThan&continue=abc", 422, "Invalid",
                     invalid + "[resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, "
                        + "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided]")
        let response = api.call("GET", "\(path)?resourceVersionMatch=Exact")
        XCTAssertEqual(response.json["details"], [
            "name": "", "group": "meta.k8s.io", "kind": "ListOptions",
            "causes": [["reason": "FieldValueForbidden", "message": "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
                        "field": "resourceVersionMatch"]],
        ])
        assertStatus(api, "sendInitialEvents=true", 422, "Invalid", invalid + "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list")
    }

    func testBadLimit() throws {
        let api = try InProcessAPI()
        assertStatus(api, "limit=abc", 400, "BadRequest", #"strconv.ParseInt: parsing "abc": invalid syntax"#)
        assertStatus(api, "limit=1.5", 400, "BadRequest", #"strconv.ParseInt: parsing "1.5": invalid syntax"#)
        assertStatus(api, "limit=99999999999999999999", 400, "BadRequest", #"strconv.ParseInt: parsing "99999999999999999999": value out of range"#)
    }

    func testBadContinue() throws {
        let api = try InProcessAPI()
        assertStatus(api, "limit=1&continue=a!b", 400, "BadRequest", "invalid continue token: continue key is not valid: illegal base64 data at input byte 1")
        assertStatus(api, "continue=abc", 400, "BadRequest",
                     "invalid continue token: continue key is not valid: invalid character 'i' looking for beginning of value")
        // {"v":"meta.k8s.io/v1","rv":0,"start":"a"}
        assertStatus(api, "continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MCwic3RhcnQiOiJhIn0", 400, "BadRequest",
                     "invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        let good = ContinueTokenFixture.token
        assertStatus(api, "continue=\(good)&resourceVersion=5", 400, "BadRequest", "specifying resource version is not allowed when using continue")
        XCTAssertEqual(api.call("GET", "\(path)?continue=\(good)&resourceVersion=0").status, 200, "resourceVersion 0 is ignored with continue")
    }

    func testBadSelectors() throws {
        let api = try InProcessAPI()
        assertStatus(api, "labelSelector=a%20in%20(b", 400, "BadRequest", "unable to parse requirement: found '', expected: ',' or ')'")
        assertStatus(api, "labelSelector=!", 400, "BadRequest", "unable to parse requirement: found '', expected: identifier")
        assertStatus(api, "fieldSelector=metadata.name", 400, "BadRequest", "invalid selector: 'metadata.name'; can't understand 'metadata.name'")
        assertStatus(api, "fieldSelector=spec.foo%3Dbar", 400, "BadRequest", "field label not supported: spec.foo")
        XCTAssertEqual(api.call("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1").status, 200)
    }

    /// Go's label lexer reads a NUL byte as the end of the token it is in and goes on after it, so
    /// what follows a NUL is a token of its own: not a value silently cut short.
    func testNULInALabelSelectorValueIsAParseError() throws {
        let api = try InProcessAPI()
        assertStatus(api, "labelSelector=a%3Db%00c", 400, "BadRequest", "found 'c', expected: ',' or 'end of string'")
        assertStatus(api, "labelSelector=a%20in%20(b%00c)", 400, "BadRequest", "unable to parse requirement: found 'c', expected: ',' or ')'")
        // As upstream: a NUL that ends the text, or stands where a token starts, ends the selector.
        XCTAssertEqual(api.call("GET", "\(path)?labelSelector=a%3Db%00").status, 200)
        XCTAssertEqual(api.call("GET", "\(path)?labelSelector=%00a%3D%3D%3D").status, 200)
    }

    /// timeoutSeconds is one of the list options the query decoder converts (strconv.ParseInt), for a
    /// list as for a watch.
    func testBadTimeoutSeconds() throws {
        let api = try InProcessAPI()
        assertStatus(api, "timeoutSeconds=abc", 400, "BadRequest", #"strconv.ParseInt: parsing "abc": invalid syntax"#)
        assertStatus(api, "timeoutSeconds=1.5", 400, "BadRequest", #"strconv.ParseInt: parsing "1.5": invalid syntax"#)
        assertStatus(api, "timeoutSeconds=99999999999999999999", 400, "BadRequest",
                     #"strconv.ParseInt: parsing "99999999999999999999": value out of range"#)
        XCTAssertEqual(api.call("GET", "\(path)?timeoutSeconds=-5").status, 200)
    }

    /// Upstream decodes the query (limit, then selectors) before it validates the options, and checks
    /// field labels only after that.
    func testChecksRunInUpstreamOrder() throws {
        let api = try InProcessAPI()
        XCTAssertEqual(api.call("GET", "\(path)?limit=x&labelSelector=!&resourceVersionMatch=Exact").json["message"]?.stringValue,
                       #"strconv.ParseInt: parsing "x": invalid syntax"#)
        XCTAssertEqual(api.call("GET", "\(path)?limit=x&timeoutSeconds=y").json["message"]?.stringValue,
                       #"strconv.ParseInt: parsing "y": invalid syntax"#)
        XCTAssertEqual(api.call("GET", "\(path)?labelSelector=!&resourceVersionMatch=Exact").status, 400)
        XCTAssertEqual(api.call("GET", "\(path)?fieldSelector=spec.foo%3Dbar&resourceVersionMatch=Exact").status, 422)
        XCTAssertEqual(api.call("GET", "\(path)?fieldSelector=spec.foo%3Dbar&resourceVersion=abc").json["message"]?.stringValue,
                       "field label not supported: spec.foo")
    }
}

enum ContinueTokenFixture {
    /// {"v":"meta.k8s.io/v1","rv":-1,"start":"a\u0000"}: continue at the newest state after "a".
    static let token = "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTEsInN0YXJ0IjoiYVx1MDAwMCJ9"
}
