import APIMachinery
import KubeliteTesting
import Registry
import XCTest

/// `pods/exec` and `pods/attach` over real HTTP with a raw WebSocket client, against a fake node
/// connection: both channel protocols the clients speak (v5 kubectl, v4 Python), every channel,
/// the final Status, and each bad input's Status.
final class PodExecHTTPTests: XCTestCase {
    var server: LiveAPIServer!
    let node = FakePodConnection()

    override func setUpWithError() throws {
        server = try LiveAPIServer.withNode(node, pods: ["web-0", "simulated", "refused-late"])
    }

    override func tearDown() { server.stop() }

    struct Transcript {
        var stdout = "", stderr = ""
        var error: [UInt8] = []
        var closeCode: UInt16?
        var status: JSON? { try? JSONParser.parse(error).value }
    }

    /// Reads channel frames until the server's close, then answers it.
    func transcript(_ client: WebSocketTestClient) throws -> Transcript {
        var t = Transcript()
        while true {
            let frame = try client.readFrame()
            if frame.opcode == 8 { t.closeCode = frame.closeCode; client.sendClose(); return t }
            XCTAssertEqual(frame.opcode, 2, "channel frames are binary")
            guard let channel = frame.payload.first else { continue }
            let text = String(decoding: frame.payload.dropFirst(), as: UTF8.self)
            switch channel {
            case 1: t.stdout += text
            case 2: t.stderr += text
            case 3: t.error += frame.payload.dropFirst()
            default: XCTFail("unexpected channel \(channel)")
            }
        }
    }

    func open(_ query: String, protocols: [String] = ["v5.channel.k8s.io"], pod: String = "web-0",
              subresource: String = "exec") throws -> (WebSocketTestClient, WebSocketTestClient.Handshake) {
        let client = try WebSocketTestClient(port: server.port)
        let answer = try client.handshake(path: "/api/v1/namespaces/default/pods/\(pod)/\(subresource)?\(query)", protocols: protocols)
        return (client, answer)
    }

    func testV5StdoutStderrAndSuccess() throws {
        let (client, answer) = try open("command=printf-both&stdout=true&stderr=true")
        XCTAssertEqual(answer.status, 101)
        XCTAssertEqual(answer.headers["sec-websocket-protocol"], "v5.channel.k8s.io")
        let t = try transcript(client)
        XCTAssertEqual(t.stdout, "out\n")
        XCTAssertEqual(t.stderr, "err\n")
        XCTAssertEqual(t.status, ["metadata": .object([:]), "status": "Success"])
        XCTAssertEqual(t.closeCode, 1000)
        XCTAssertEqual(node.lastExecOptions, PodExecOptions(container: "app", command: ["printf-both"], stdin: false, stdout: true, stderr: true, tty: false))
    }

    func testV5StdinThenCloseChannelEndsTheCommand() throws {
        let (client, answer) = try open("command=cat&stdin=true&stdout=true&container=app")
        XCTAssertEqual(answer.status, 101)
        client.sendBinary([0] + Array("hello\n".utf8))
        let echoed = try client.readFrame()
        XCTAssertEqual(echoed.payload, [1] + Array("hello\n".utf8))
        client.sendBinary([255, 0])
        let t = try transcript(client)
        XCTAssertEqual(t.status?[path: "status"], "Success")
        XCTAssertEqual(node.lastExecOptions?.container, "app")
    }

    func testTextFramesCarryChannelsToo() throws {
        // The Python client sends str stdin as text frames.
        let (client, answer) = try open("command=cat&stdin=true&stdout=true", protocols: ["v4.channel.k8s.io"])
        XCTAssertEqual(answer.status, 101)
        client.send(opcode: 1, Array("\u{0}hi".utf8))
        XCTAssertEqual(try client.readFrame().payload, [1] + Array("hi".utf8))
        client.sendClose()
        waitUntil("the command was cancelled") { node.lastSession?.wasCancelled == true }
    }

    func testV4NonZeroExitCodeStatus() throws {
        let (client, answer) = try open("command=sh&command=-c&command=exit%203&stdout=true&stderr=true", protocols: ["v4.channel.k8s.io"])
        XCTAssertEqual(answer.headers["sec-websocket-protocol"], "v4.channel.k8s.io")
        let t = try transcript(client)
        XCTAssertEqual(t.status, [
            "metadata": .object([:]), "status": "Failure",
            "message": "command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3",
            "reason": "NonZeroExitCode", "details": ["causes": [["reason": "ExitCode", "message": "3"]]],
        ])
        XCTAssertEqual(t.closeCode, 1000)
    }

    func testV1CarriesOnlyAFailureMessage() throws {
        let (client, answer) = try open("command=sh&command=-c&command=exit%200&stdout=true", protocols: ["base64.channel.k8s.io", "channel.k8s.io"])
        XCTAssertEqual(answer.headers["sec-websocket-protocol"], "channel.k8s.io")
        XCTAssertEqual(try transcript(client).error, [])
        let (failing, _) = try open("command=sh&command=-c&command=exit%202&stdout=true", protocols: ["channel.k8s.io"])
        XCTAssertEqual(String(decoding: try transcript(failing).error, as: UTF8.self),
                       "command terminated with non-zero exit code: error executing command [sh -c exit 2], exit code 2")
    }

    func testResizeReachesATTYSession() throws {
        let (client, answer) = try open("command=wait-resize&stdin=true&stdout=true&stderr=true&tty=true")
        XCTAssertEqual(answer.status, 101)
        client.sendBinary([4] + Array(#"{"Width":120,"Height":40}"#.utf8))
        let t = try transcript(client)
        XCTAssertEqual(t.stdout, "120x40\n")
        XCTAssertEqual(node.lastExecOptions?.stderr, false, "a TTY has no separate stderr, as the kubelet decides")
    }

    func testClientLeavingCancelsTheCommand() throws {
        let (client, answer) = try open("command=sleep&stdout=true")
        XCTAssertEqual(answer.status, 101)
        waitUntil("the session started") { node.lastSession != nil }
        client.sendClose(code: 1000)
        XCTAssertEqual(try client.readFrame().closeCode, 1000)
        waitUntil("the command was cancelled") { node.lastSession?.wasCancelled == true }
    }

    func testAttachUsesTheSameChannels() throws {
        let (client, answer) = try open("stdin=true&stdout=true", subresource: "attach")
        XCTAssertEqual(answer.status, 101)
        client.sendBinary([0] + Array("x".utf8))
        XCTAssertEqual(try client.readFrame().payload, [1] + Array("x".utf8))
        client.sendBinary([255, 0])
        XCTAssertEqual(try transcript(client).status?[path: "status"], "Success")
    }

    func testRefusedSessionGetsItsStatusInBand() throws {
        let (client, answer) = try open("command=hostname&stdout=true", pod: "refused-late")
        XCTAssertEqual(answer.status, 101)
        let t = try transcript(client)
        XCTAssertEqual(t.status?[path: "reason"], "BadRequest")
        XCTAssertEqual(t.status?[path: "message"], .string(FakePodConnection.simulatedStatus.message))
        XCTAssertEqual(t.status?[path: "code"], 400)
        XCTAssertNil(t.status?[path: "kind"], "the streaming server writes a bare Status")
    }

    func testBadInputsAnswerAStatusBeforeUpgrading() throws {
        func refused(_ query: String, protocols: [String] = ["v5.channel.k8s.io"], pod: String = "web-0",
                     method: String = "GET") throws -> (Int, JSON) {
            let client = try WebSocketTestClient(port: server.port)
            let answer = try client.handshake(method: method, path: "/api/v1/namespaces/default/pods/\(pod)/exec?\(query)", protocols: protocols)
            return (answer.status, (try? JSONParser.parse(answer.body).value) ?? .null)
        }
        var (code, status) = try refused("stdout=true")
        XCTAssertEqual(code, 400)
        XCTAssertEqual(status[path: "message"], "you must specify at least one command for the container")
        (code, status) = try refused("command=ls")
        XCTAssertEqual(code, 400)
        XCTAssertEqual(status[path: "message"], "you must specify at least 1 of stdin, stdout, stderr")
        (code, status) = try refused("command=ls&stdout=true", pod: "nope")
        XCTAssertEqual(code, 404)
        XCTAssertEqual(status[path: "message"], #"pods "nope" not found"#)
        XCTAssertEqual(status[path: "reason"], "NotFound")
        (code, status) = try refused("command=ls&stdout=true", protocols: ["SPDY/3.1+portforward.k8s.io"])
        XCTAssertEqual(code, 400)
        XCTAssertEqual(status[path: "reason"], "BadRequest")
        // A pod the node cannot stream to is refused as the upgrade's answer, over WebSocket and SPDY alike.
        for method in ["GET", "POST"] {
            (code, status) = try refused("command=ls&stdin=true&stdout=true", pod: "simulated", method: method)
            XCTAssertEqual(code, 400, method)
            XCTAssertEqual(status[path: "message"], .string(FakePodConnection.simulatedStatus.message), method)
        }
        (code, status) = try refused("command=ls&stdout=true", method: "POST")
        XCTAssertEqual(code, 400)
        XCTAssertTrue(status[path: "message"]?.stringValue?.contains("SPDY") == true, "\(status)")
        XCTAssertEqual(server.call("GET", "/api/v1/namespaces/default/pods/web-0/exec?command=ls&stdout=true").status, 400,
                       "a GET that is not an upgrade")
        XCTAssertEqual(server.call("PUT", "/api/v1/namespaces/default/pods/web-0/exec?command=ls&stdout=true").status, 405)
    }

    func testWithoutANodeConnectionTheStatusSaysSo() throws {
        let bare = try LiveAPIServer()
        defer { bare.stop() }
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web-0"],
                         "spec": ["nodeName": "node-1", "containers": [["name": "app", "image": "busybox"]]]]
        XCTAssertEqual(bare.call("POST", "/api/v1/namespaces/default/pods", body: pod).status, 201)
        let post = bare.call("POST", "/api/v1/namespaces/default/pods/web-0/exec?command=ls&stdout=true")
        XCTAssertEqual(post.status, 503)
        XCTAssertEqual(post.json[path: "reason"], "ServiceUnavailable")
        let client = try WebSocketTestClient(port: bare.port)
        let answer = try client.handshake(path: "/api/v1/namespaces/default/pods/web-0/exec?command=ls&stdout=true",
                                          protocols: ["v5.channel.k8s.io"])
        XCTAssertEqual(answer.status, 503, "refused as the upgrade's answer")
        XCTAssertEqual((try? JSONParser.parse(answer.body).value)?[path: "reason"], "ServiceUnavailable")
    }

    func testContainerAndNodeChecksAsUpstreamsStreamLocation() throws {
        let pods: [JSON] = [
            ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "two"], "spec": ["nodeName": "node-1",
             "initContainers": [["name": "setup", "image": "busybox"]],
             "containers": [["name": "a", "image": "busybox"], ["name": "b", "image": "busybox"]]]],
            ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "pending"], "spec": ["containers": [["name": "app", "image": "busybox"]]]],
        ]
        for pod in pods { XCTAssertEqual(server.call("POST", "/api/v1/namespaces/default/pods", body: pod).status, 201) }
        func post(_ path: String) -> (Int, JSON?) {
            let r = server.call("POST", "/api/v1/namespaces/default/pods/\(path)")
            return (r.status, r.json[path: "message"])
        }
        XCTAssertEqual(post("two/exec?command=ls&stdout=true").1, "a container name must be specified for pod two, choose one of: [setup a b]")
        XCTAssertEqual(post("two/exec?command=ls&stdout=true&container=c").1, "container c is not valid for pod two")
        XCTAssertEqual(post("pending/exec?command=ls&stdout=true").1, "pod pending does not have a host assigned")
        XCTAssertEqual(post("two/exec?command=ls&stdout=true").0, 400)
        // The resolved container reaches the node.
        let (client, answer) = try open("command=hostname&stdout=true")
        XCTAssertEqual(answer.status, 101)
        _ = try transcript(client)
        XCTAssertEqual(node.lastExecOptions?.container, "app")
    }

    func testDiscoveryListsExecAttachAndLog() throws {
        let list = server.call("GET", "/api/v1").json
        guard case .array(let resources)? = list[path: "resources"] else { return XCTFail("no resources") }
        func entry(_ name: String) -> JSON? { resources.first { $0[path: "name"] == .string(name) } }
        XCTAssertEqual(entry("pods/exec")?[path: "verbs"], ["create", "get"])
        XCTAssertEqual(entry("pods/exec")?[path: "kind"], "PodExecOptions")
        XCTAssertEqual(entry("pods/attach")?[path: "verbs"], ["create", "get"])
        XCTAssertEqual(entry("pods/attach")?[path: "kind"], "PodAttachOptions")
        XCTAssertEqual(entry("pods/log")?[path: "verbs"], ["get"])
        XCTAssertEqual(entry("pods/log")?[path: "kind"], "Pod")
    }
}
