import APIMachinery
import KubeliteTesting
import Registry
import XCTest

/// `pods/log` over real HTTP against a fake node connection: the whole log, a followed log
/// streamed chunk by chunk until it ends or the client leaves, the options as the node gets them,
/// and upstream's validation Statuses.
final class PodLogHTTPTests: XCTestCase {
    var server: LiveAPIServer!
    let node = FakePodConnection()

    override func setUpWithError() throws {
        server = try LiveAPIServer.withNode(node, pods: ["web-0"])
    }

    override func tearDown() { server.stop() }

    /// GETs web-0's log and reads the fake's first two lines.
    func openLog(_ query: String) throws -> WatchClient {
        let client = try WatchClient(port: server.port)
        try client.get("/api/v1/namespaces/default/pods/web-0/log?\(query)")
        XCTAssertEqual(client.status, 200)
        XCTAssertEqual(client.headers["content-type"], "text/plain")
        XCTAssertEqual(try client.nextLine(), "line 1")
        XCTAssertEqual(try client.nextLine(), "line 2")
        return client
    }

    func testWholeLogAsPlainText() throws {
        let client = try openLog("container=app&tailLines=10&timestamps=true&limitBytes=100")
        XCTAssertNil(try client.nextLine(), "the log ends without follow")
        XCTAssertEqual(node.lastLogOptions, PodLogOptions(container: "app", timestamps: true, tailLines: 10, limitBytes: 100))
    }

    func testUnscheduledPodHasAnEmptyLog() throws {
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "pending"], "spec": ["containers": [["name": "app", "image": "busybox"]]]]
        XCTAssertEqual(server.call("POST", "/api/v1/namespaces/default/pods", body: pod).status, 201)
        let client = try WatchClient(port: server.port)
        try client.get("/api/v1/namespaces/default/pods/pending/log")
        XCTAssertEqual(client.status, 200)
        XCTAssertEqual(client.headers["content-length"], "0")
        XCTAssertNil(node.lastLogOptions, "the node is not asked")
    }

    func testFollowStreamsUntilTheContainerEnds() throws {
        let client = try openLog("follow=true&sinceSeconds=60")
        XCTAssertEqual(client.headers["transfer-encoding"], "chunked")
        node.lastLog?.append("line 3\n")
        XCTAssertEqual(try client.nextLine(), "line 3", "a followed line is flushed at once")
        node.lastLog?.end()
        XCTAssertNil(try client.nextLine())
        XCTAssertEqual(node.lastLogOptions?.follow, true)
        XCTAssertEqual(node.lastLogOptions?.sinceSeconds, 60)
    }

    func testClientLeavingCancelsAFollowedLog() throws {
        let client = try openLog("follow=true")
        client.disconnect()
        // The server notices when it next writes.
        waitUntil("the log stream was cancelled") {
            node.lastLog?.append("more\n")
            return node.lastLog?.wasCancelled == true
        }
    }

    func testValidationAsUpstreamsValidatePodLogOptions() throws {
        func get(_ query: String) -> (Int, JSON) {
            let r = server.call("GET", "/api/v1/namespaces/default/pods/web-0/log?\(query)")
            return (r.status, r.json)
        }
        var (code, status) = get("sinceSeconds=10&sinceTime=2026-01-01T00:00:00Z")
        XCTAssertEqual(code, 422)
        XCTAssertEqual(status[path: "reason"], "Invalid")
        XCTAssertEqual(status[path: "message"],
                       #"PodLogOptions "web-0" is invalid: sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"#)
        (code, status) = get("sinceSeconds=0")
        XCTAssertEqual(status[path: "message"], #"PodLogOptions "web-0" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0"#)
        (code, status) = get("tailLines=-1&limitBytes=0")
        XCTAssertEqual(code, 422)
        XCTAssertEqual(status[path: "message"], #"PodLogOptions "web-0" is invalid: [tailLines: Invalid value: -1: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0]"#)
        (code, status) = get("tailLines=x")
        XCTAssertEqual(code, 400)
        XCTAssertEqual(status[path: "message"], #"strconv.ParseInt: parsing "x": invalid syntax"#)
        (code, status) = get("sinceTime=yesterday")
        XCTAssertEqual(code, 400)
        (code, status) = get("container=nope")
        XCTAssertEqual(code, 400)
        XCTAssertEqual(status[path: "message"], "container nope is not valid for pod web-0")
        let missing = server.call("GET", "/api/v1/namespaces/default/pods/ghost/log")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.json[path: "message"], #"pods "ghost" not found"#)
        XCTAssertEqual(server.call("POST", "/api/v1/namespaces/default/pods/web-0/log").status, 405)
    }
}
