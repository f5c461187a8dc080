import APIMachinery
import XCTest

/// Request bodies a careless client sends get kube-apiserver 1.32's Status: code, reason and message.
final class BadBodyStatusTests: XCTestCase {
    let configMaps = "/api/v1/namespaces/default/configmaps"
    let pods = "/api/v1/namespaces/default/pods"

    func assertStatus(_ response: InProcessAPI.Response, _ code: Int, _ reason: String, _ message: String,
                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(response.status, code, response.text, file: file, line: line)
        XCTAssertEqual(response.json["kind"], "Status", file: file, line: line)
        XCTAssertEqual(response.json["code"]?.intValue, Int64(code), file: file, line: line)
        XCTAssertEqual(response.json["reason"]?.stringValue ?? "", reason, file: file, line: line)
        XCTAssertEqual(response.json["message"]?.stringValue, message, file: file, line: line)
    }

    /// The serializer reads apiVersion and kind into a struct of two strings first (json.Unmarshal);
    /// a type error there is wrapped by the handler's transformDecodeError with the body's first 30 bytes.
    func testNonStringAPIVersionOrKindIsRejected() throws {
        let api = try InProcessAPI()
        let number = #"{"apiVersion":5,"kind":"ConfigMap","metadata":{"name":"a"}}"#
        assertStatus(api.call("POST", configMaps, raw: Array(number.utf8)), 400, "BadRequest",
                     "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: "
                        + #"json: cannot unmarshal number into Go struct field .apiVersion of type string ({"apiVersion":5,"kind":"Config ...)"#)
        let kind = #"{"kind":["ConfigMap"],"apiVersion":true}"#
        assertStatus(api.call("POST", configMaps, raw: Array(kind.utf8)), 400, "BadRequest",
                     "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: "
                        + #"json: cannot unmarshal array into Go struct field .kind of type string ({"kind":["ConfigMap"],"apiVers ...)"#)
        let short = #"{"kind":{}}"#
        assertStatus(api.call("POST", configMaps, raw: Array(short.utf8)), 400, "BadRequest",
                     "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: "
                        + #"json: cannot unmarshal object into Go struct field .kind of type string ({"kind":{}})"#)
        // A YAML body is summarised as upstream does anything not starting with `{`: in hex.
        let yaml = "kind: 7\n"
        assertStatus(api.call("POST", configMaps, raw: Array(yaml.utf8), contentType: "application/yaml"), 400, "BadRequest",
                     "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: "
                        + "json: cannot unmarshal number into Go struct field .kind of type string (6b696e643a20370a)")
        XCTAssertEqual(api.call("GET", configMaps).json["items"]?.arrayValue?.count, 0, "nothing was created")

        api.call("POST", configMaps, body: InProcessAPI.configMap("b"))
        let update = #"{"apiVersion":"v1","kind":false,"metadata":{"name":"b"}}"#
        assertStatus(api.call("PUT", "\(configMaps)/b", raw: Array(update.utf8)), 400, "BadRequest",
                     "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: "
                        + #"json: cannot unmarshal bool into Go struct field .kind of type string ({"apiVersion":"v1","kind":fals ...)"#)
        // A JSON or merge patch whose result does not read is the patcher's 422 on `patch`.
        let merged = api.call("PATCH", "\(configMaps)/b", raw: Array(#"{"kind":5}"#.utf8), contentType: "application/merge-patch+json")
        XCTAssertEqual(merged.status, 422, merged.text)
        XCTAssertEqual(merged.json["reason"], "Invalid")
        let message = merged.json["message"]?.stringValue ?? ""
        XCTAssertTrue(message.hasPrefix(#" "" is invalid: patch: Invalid value: "{\"#), message)
        XCTAssertTrue(message.hasSuffix("\": couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string"), message)
        XCTAssertEqual(api.call("GET", "\(configMaps)/b").json["kind"], "ConfigMap")
        // null is no value at all for json.Unmarshal: the kind is taken from the URL.
        let null = #"{"apiVersion":null,"kind":null,"metadata":{"name":"c"}}"#
        XCTAssertEqual(api.call("POST", configMaps, raw: Array(null.utf8)).status, 201)
    }

    func testNonObjectBodyIsRejectedWithTheSummary() throws {
        let api = try InProcessAPI()
        assertStatus(api.call("POST", configMaps, raw: Array("[1,2]".utf8)), 400, "BadRequest",
                     "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: "
                        + #"json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" } (5b312c325d)"#)
    }

    /// kube-apiserver 1.32 passes strategic merge errors other than mergepatch's sentinels through
    /// unconverted (interpretStrategicMergePatchError's default case) and answers a bare 500; they are
    /// the client's mistake, so Kubelite answers 400 BadRequest with the library's exact text.
    func testStrategicMergePatchLibraryErrorsAreBadRequests() throws {
        let api = try InProcessAPI()
        api.call("POST", configMaps, body: InProcessAPI.configMap("cm"))
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                         "spec": ["containers": [["name": "c", "image": "nginx"]]]]
        XCTAssertEqual(api.call("POST", pods, body: pod).status, 201)
        let strategic = "application/strategic-merge-patch+json"
        func patch(_ path: String, _ body: String) -> InProcessAPI.Response {
            api.call("PATCH", path, raw: Array(body.utf8), contentType: strategic)
        }
        assertStatus(patch("\(pods)/p", #"{"spec":{"containers":[{"image":"redis"}]}}"#), 400, "BadRequest",
                     "map: map[image:redis] does not contain declared merge key: name")
        assertStatus(patch("\(pods)/p", #"{"spec":{"containers":[{"name":"c","$patch":"bogus"}]}}"#), 400, "BadRequest",
                     "unknown patch type: bogus in map: map[$patch:bogus name:c]")
        assertStatus(patch("\(configMaps)/cm", #"{"$setElementOrder/data":5}"#), 400, "BadRequest",
                     "expected a []interface {}, but received a int64")
        assertStatus(patch("\(configMaps)/cm", #"{"data":{"$patch":"bogus"}}"#), 400, "BadRequest",
                     "unknown patch type: bogus in map: map[$patch:bogus]")
    }
}
