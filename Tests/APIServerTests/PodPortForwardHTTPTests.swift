import APIMachinery
@testable import HTTPServer
import KubeliteTesting
import Registry
import XCTest

/// `pods/portforward` over real HTTP with a raw WebSocket client against a fake node whose port 80
/// is an upper-casing echo server: the channel protocol (Python client) and the SPDY session
/// tunneled in WebSocket (kubectl 1.32), forwarding errors in the kubelet's words, and each bad
/// input's Status before the upgrade.
final class PodPortForwardHTTPTests: XCTestCase {
    var server: LiveAPIServer!
    var echo: EchoServer!
    let node = FakePodConnection()

    override func setUpWithError() throws {
        echo = try EchoServer()
        node.forwardedPorts = [80: echo.port]
        server = try LiveAPIServer.withNode(node, pods: ["web-0", "simulated"])
    }

    override func tearDown() { server.stop(); echo.stop() }

    func open(_ query: String, protocols: [String]?, pod: String = "web-0") throws -> (WebSocketTestClient, WebSocketTestClient.Handshake) {
        let client = try WebSocketTestClient(port: server.port)
        let answer = try client.handshake(path: "/api/v1/namespaces/default/pods/\(pod)/portforward?\(query)", protocols: protocols)
        return (client, answer)
    }

    func testChannelProtocolPrefixesPortsForwardsAndReportsErrors() throws {
        let (client, answer) = try open("ports=80,81", protocols: ["v4.channel.k8s.io"])
        XCTAssertEqual(answer.status, 101)
        XCTAssertEqual(answer.headers["sec-websocket-protocol"], "v4.channel.k8s.io")
        var frames: [[UInt8]] = []
        for _ in 0..<5 { frames.append(try client.readFrame().payload) }
        XCTAssertEqual(Array(frames.prefix(4)), [[0, 80, 0], [1, 80, 0], [2, 81, 0], [3, 81, 0]])
        XCTAssertEqual(frames[4].first, 3)
        XCTAssertEqual(String(decoding: frames[4].dropFirst(), as: UTF8.self),
                       "error forwarding port 81 to pod sandbox-web-0, uid : failed to connect to localhost:81 inside namespace \"sandbox-web-0\": connect: connection refused")
        client.sendBinary([0] + Array("hello".utf8))
        XCTAssertEqual(try client.readFrame().payload, [0] + Array("HELLO".utf8))
        client.sendBinary([0] + Array("again".utf8))
        XCTAssertEqual(try client.readFrame().payload, [0] + Array("AGAIN".utf8))
        client.sendClose()
        XCTAssertEqual(try client.readFrame().opcode, 8)
    }

    func testChannelProtocolClosesOnceEveryPortHasEnded() throws {
        let (client, answer) = try open("ports=81&ports=82", protocols: nil)
        XCTAssertEqual(answer.status, 101)
        XCTAssertNil(answer.headers["sec-websocket-protocol"], "no subprotocol offered, none answered (the kubelet's default)")
        var errors = 0
        while true {
            let frame = try client.readFrame()
            if frame.opcode == 8 { XCTAssertEqual(frame.closeCode, 1000); break }
            if frame.payload.count > 3, frame.payload[0] % 2 == 1 { errors += 1 }
        }
        XCTAssertEqual(errors, 2)
    }

    /// A client of the SPDY tunnel: frames written with its own compressor, read back with its own
    /// decompressor, as client-go's spdystream does.
    final class SPDYClient {
        let socket: WebSocketTestClient
        let compressor = SPDYHeaderCompressor(), decompressor = SPDYHeaderDecompressor()
        var parser = SPDYFrameParser()
        init(_ socket: WebSocketTestClient) { self.socket = socket }

        func open(_ id: UInt32, type: String, port: String, request: String) {
            let block = SPDYHeaderBlock([("port", [port]), ("streamtype", [type]), ("requestid", [request])])
            let frame = SPDYFrame.synStream(streamID: id, associatedTo: 0, priority: 0, flags: 0, headerBlock: compressor.compress(block.encoded()))
            // Go's framer writes a frame in pieces, each its own WebSocket message.
            let bytes = frame.encoded()
            socket.sendBinary(Array(bytes.prefix(4)))
            socket.sendBinary(Array(bytes.dropFirst(4)))
        }

        func send(_ frame: SPDYFrame) { socket.sendBinary(frame.encoded()) }

        func next() throws -> SPDYFrame {
            while true {
                if let frame = try parser.next() { return frame }
                let message = try socket.readFrame()
                guard message.opcode == 2 else { throw SPDYViolation("WebSocket frame \(message.opcode)") }
                parser.append(message.payload)
            }
        }
    }

    func testSPDYTunnelRepliesForwardsAndFinishesBothStreams() throws {
        let (socket, answer) = try open("", protocols: ["SPDY/3.1+portforward.k8s.io"])
        XCTAssertEqual(answer.status, 101)
        XCTAssertEqual(answer.headers["sec-websocket-protocol"], "SPDY/3.1+portforward.k8s.io")
        let client = SPDYClient(socket)
        client.open(1, type: "error", port: "80", request: "0")
        client.send(.data(streamID: 1, flags: SPDYFrame.flagFin, payload: []))
        client.open(3, type: "data", port: "80", request: "0")
        client.send(.data(streamID: 3, flags: 0, payload: Array("ping".utf8)))
        guard case .synReply(1, 0, let first) = try client.next() else { return XCTFail("SYN_REPLY 1 first") }
        XCTAssertEqual(try SPDYHeaderBlock.decode(try client.decompressor.decompress(first)), SPDYHeaderBlock())
        guard case .synReply(3, 0, let second) = try client.next() else { return XCTFail("SYN_REPLY 3") }
        _ = try client.decompressor.decompress(second)
        XCTAssertEqual(try client.next(), .data(streamID: 3, flags: 0, payload: Array("PING".utf8)))
        // The client's end of input reaches the pod as a half-close; the echo server then closes,
        // and both streams are finished.
        client.send(.data(streamID: 3, flags: SPDYFrame.flagFin, payload: []))
        XCTAssertEqual(Set([try client.next(), try client.next()]),
                       Set([.data(streamID: 3, flags: SPDYFrame.flagFin, payload: []), .data(streamID: 1, flags: SPDYFrame.flagFin, payload: [])]))
        // A second connection over the same session, to a port nobody listens on.
        client.open(5, type: "error", port: "81", request: "1")
        client.open(7, type: "data", port: "81", request: "1")
        var error = ""
        var finished: Set<UInt32> = []
        while finished.count < 2 {
            switch try client.next() {
            case .synReply(_, _, let block): _ = try client.decompressor.decompress(block)
            case .data(5, let flags, let payload):
                error += String(decoding: payload, as: UTF8.self)
                if flags & SPDYFrame.flagFin != 0 { finished.insert(5) }
            case .data(7, let flags, _): if flags & SPDYFrame.flagFin != 0 { finished.insert(7) }
            case let other: XCTFail("unexpected \(other)")
            }
        }
        XCTAssertEqual(error, "error forwarding port 81 to pod sandbox-web-0, uid : failed to connect to localhost:81 inside namespace \"sandbox-web-0\": connect: connection refused")
        // PINGs are echoed; a stream without a port is refused.
        client.send(.ping(id: 1))
        XCTAssertEqual(try client.next(), .ping(id: 1))
        let bad = SPDYHeaderBlock([("streamtype", ["data"])])
        client.send(.synStream(streamID: 9, associatedTo: 0, priority: 0, flags: 0, headerBlock: client.compressor.compress(bad.encoded())))
        XCTAssertEqual(try client.next(), .rstStream(streamID: 9, status: SPDYFrame.ResetStatus.cancel.rawValue))
    }

    func testBadRequestsGetStatusesBeforeUpgrading() throws {
        func refused(_ query: String, pod: String = "web-0", protocols: [String]? = ["v4.channel.k8s.io"]) throws -> (Int, JSON) {
            let (_, answer) = try open(query, protocols: protocols, pod: pod)
            return (answer.status, (try? JSONParser.parse(answer.body).value) ?? .null)
        }
        var (code, status) = try refused("")
        XCTAssertEqual(code, 400)
        XCTAssertEqual(status[path: "message"], #"query parameter "ports" is required"#)
        (code, status) = try refused("ports=0")
        XCTAssertEqual(status[path: "message"], #"port "0" must be > 0"#)
        (code, status) = try refused("ports=80,x")
        XCTAssertEqual(status[path: "message"], #"unable to parse "80,x" as a port: strconv.ParseUint: parsing "x": invalid syntax"#)
        (code, status) = try refused("ports=80", pod: "nope")
        XCTAssertEqual(code, 404)
        XCTAssertEqual(status[path: "message"], #"pods "nope" not found"#)
        (code, status) = try refused("ports=80", pod: "simulated")
        XCTAssertEqual(code, 400)
        XCTAssertEqual(status[path: "message"], FakePodConnection.simulatedStatus.status[path: "message"])
        (code, status) = try refused("ports=80", protocols: ["v5.channel.k8s.io"])
        XCTAssertEqual(code, 400)
        XCTAssertEqual(status[path: "reason"], "BadRequest")
        let post = server.call("POST", "/api/v1/namespaces/default/pods/web-0/portforward")
        XCTAssertEqual(post.status, 400)
        XCTAssertEqual(post.json[path: "message"], "unable to upgrade: X-Stream-Protocol-Version is required")
        let wrong = try rawPost(["X-Stream-Protocol-Version: v4.channel.k8s.io", "Connection: Upgrade", "Upgrade: SPDY/3.1"])
        XCTAssertTrue(wrong.head.hasPrefix("HTTP/1.1 403"), wrong.head)
        let notUpgrading = try rawPost(["X-Stream-Protocol-Version: portforward.k8s.io"])
        XCTAssertTrue(notUpgrading.head.hasPrefix("HTTP/1.1 400"), notUpgrading.head)
        XCTAssertEqual(server.call("PUT", "/api/v1/namespaces/default/pods/web-0/portforward").status, 405)
        let unbound: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "pending"],
                             "spec": ["containers": [["name": "app", "image": "busybox"]]]]
        XCTAssertEqual(server.call("POST", "/api/v1/namespaces/default/pods", body: unbound).status, 201)
        (code, status) = try refused("ports=80", pod: "pending")
        XCTAssertEqual(status[path: "message"], "pod pending does not have a host assigned")
    }

    /// A POST to pods/portforward with `headers`, on a plain socket: the answer's head, and the
    /// socket for what follows a 101.
    func rawPost(_ headers: [String]) throws -> (head: String, socket: Int32, rest: [UInt8]) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = server.port.bigEndian
        address.sin_addr.s_addr = in_addr_t(INADDR_LOOPBACK).bigEndian
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = "POST /api/v1/namespaces/default/pods/web-0/portforward HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
            + headers.map { $0 + "\r\n" }.joined() + "\r\n"
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = received.indices.dropLast(3).first(where: { received[$0] == 13 && received[$0 + 1] == 10 && received[$0 + 2] == 13 && received[$0 + 3] == 10 }) {
                return (String(decoding: received[..<end], as: UTF8.self), fd, Array(received[(end + 4)...]))
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { throw APIError.internalError("no answer") }
            received += buffer[0..<n]
        }
    }

    func testSPDYOverAnUpgradedPostAsOlderClientsSpeakIt() throws {
        let (head, fd, rest) = try rawPost(["X-Stream-Protocol-Version: portforward.k8s.io", "Connection: Upgrade", "Upgrade: SPDY/3.1"])
        defer { close(fd) }
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 101"), head)
        XCTAssertTrue(head.lowercased().contains("upgrade: spdy/3.1"), head)
        XCTAssertTrue(head.lowercased().contains("x-stream-protocol-version: portforward.k8s.io"), head)
        let compressor = SPDYHeaderCompressor(), decompressor = SPDYHeaderDecompressor()
        func send(_ frame: SPDYFrame) { _ = frame.encoded().withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } }
        func open(_ id: UInt32, _ type: String) {
            let block = SPDYHeaderBlock([("port", ["80"]), ("streamtype", [type]), ("requestid", ["0"])])
            send(.synStream(streamID: id, associatedTo: 0, priority: 0, flags: 0, headerBlock: compressor.compress(block.encoded())))
        }
        open(1, "error")
        open(3, "data")
        send(.data(streamID: 3, flags: 0, payload: Array("raw".utf8)))
        var parser = SPDYFrameParser()
        parser.append(rest)
        var frames: [SPDYFrame] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while frames.count < 3 {
            if let frame = try parser.next() { frames.append(frame); continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return XCTFail("the session ended early: \(frames)") }
            parser.append(buffer[0..<n])
        }
        guard case .synReply(1, _, let first) = frames[0], case .synReply(3, _, let second) = frames[1] else { return XCTFail("\(frames)") }
        _ = try decompressor.decompress(first)
        _ = try decompressor.decompress(second)
        XCTAssertEqual(frames[2], .data(streamID: 3, flags: 0, payload: Array("RAW".utf8)))
    }

    func testDiscoveryListsPortForward() throws {
        let resources = server.call("GET", "/api/v1").json[path: "resources"]?.arrayValue ?? []
        let entry = resources.first { $0[path: "name"] == "pods/portforward" }
        XCTAssertEqual(entry?[path: "kind"], "PodPortForwardOptions")
        XCTAssertEqual(entry?[path: "verbs"], ["create", "get"])
    }
}
