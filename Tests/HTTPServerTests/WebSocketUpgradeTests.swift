@testable import HTTPServer
import KubeliteTesting
import XCTest

/// A live upgrade through libmicrohttpd, driven by a raw socket client: the 101 handshake, echoed
/// messages, ping/pong, both close handshakes, and server stop with a WebSocket open.
final class WebSocketUpgradeTests: XCTestCase {
    var server: MicroHTTPServer!

    /// Echoes every message; `/ws` upgrades with the first offered protocol, anything else is 404.
    final class EchoSocket: WebSocketHandler, @unchecked Sendable {
        let lock = NSLock()
        var closedCount = 0
        func opened(_ connection: WebSocketConnection) { connection.send(text: "hello \(connection.subprotocol ?? "-")") }
        func received(_ connection: WebSocketConnection, binary: Bool, payload: [UInt8]) {
            if payload == Array("bye".utf8) { connection.close(code: 1000, reason: "done"); return }
            binary ? connection.send(binary: payload) : connection.send(text: String(decoding: payload, as: UTF8.self))
        }
        func closed(_ connection: WebSocketConnection) { lock.lock(); closedCount += 1; lock.unlock() }
        var closed: Int { lock.lock(); defer { lock.unlock() }; return closedCount }
    }

    struct UpgradeHandler: HTTPHandler {
        let socket: EchoSocket
        func handle(_ request: HTTPRequest) -> HTTPResponse {
            guard request.path == "/ws", WebSocketUpgrade.isWebSocketRequest(request) else { return HTTPResponse(status: 404) }
            return .webSocket(request, subprotocol: WebSocketUpgrade.offeredSubprotocols(request).first, handler: socket)
        }
    }

    let echo = EchoSocket()

    override func setUpWithError() throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        server = MicroHTTPServer(configuration: configuration, handler: UpgradeHandler(socket: echo))
        try server.start()
    }

    override func tearDown() { server.stop() }

    func testHandshakeEchoPingAndClientClose() throws {
        let client = try WebSocketTestClient(port: server.port)
        let answer = try client.handshake(path: "/ws", protocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"])
        XCTAssertEqual(answer.status, 101)
        XCTAssertEqual(answer.headers["upgrade"]?.lowercased(), "websocket")
        XCTAssertEqual(answer.headers["connection"]?.lowercased(), "upgrade")
        XCTAssertEqual(answer.headers["sec-websocket-accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        XCTAssertEqual(answer.headers["sec-websocket-protocol"], "v5.channel.k8s.io")
        XCTAssertEqual(try client.readFrame(), .init(fin: true, opcode: 1, payload: Array("hello v5.channel.k8s.io".utf8)))

        client.sendBinary([0, 1, 2, 255])
        XCTAssertEqual(try client.readFrame(), .init(fin: true, opcode: 2, payload: [0, 1, 2, 255]))
        // A fragmented text message comes back whole.
        client.send(opcode: 1, Array("frag".utf8), fin: false)
        client.send(opcode: 0, Array("ment".utf8))
        XCTAssertEqual(try client.readFrame().payload, Array("fragment".utf8))
        client.send(opcode: 9, Array("p".utf8))
        XCTAssertEqual(try client.readFrame(), .init(fin: true, opcode: 10, payload: Array("p".utf8)))

        client.sendClose(code: 1000)
        XCTAssertEqual(try client.readFrame().closeCode, 1000)
        XCTAssertTrue(client.readsEndOfFile())
        waitUntil("the handler saw the close and the socket was handed back") { echo.closed == 1 && server.webSocketCount == 0 }
    }

    func testNoSubprotocolHeaderWhenNoneIsChosen() throws {
        let client = try WebSocketTestClient(port: server.port)
        let answer = try client.handshake(path: "/ws", protocols: nil)
        XCTAssertEqual(answer.status, 101)
        XCTAssertNil(answer.headers["sec-websocket-protocol"])
        XCTAssertEqual(try client.readFrame().payload, Array("hello -".utf8))
    }

    func testLargeMessagesBothWays() throws {
        let client = try WebSocketTestClient(port: server.port)
        XCTAssertEqual(try client.handshake(path: "/ws", protocols: ["x"]).status, 101)
        _ = try client.readFrame()
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0) }
        client.sendBinary(big)
        XCTAssertEqual(try client.readFrame().payload, big)
    }

    func testServerCloseHandshakeAndUnmaskedFrames() throws {
        let client = try WebSocketTestClient(port: server.port)
        XCTAssertEqual(try client.handshake(path: "/ws", protocols: ["x"]).status, 101)
        _ = try client.readFrame()
        client.send(opcode: 1, Array("bye".utf8))
        let close = try client.readFrame()
        XCTAssertEqual(close.closeCode, 1000)
        XCTAssertEqual(Array(close.payload.dropFirst(2)), Array("done".utf8))
        client.sendClose()
        XCTAssertTrue(client.readsEndOfFile())

        let rude = try WebSocketTestClient(port: server.port)
        XCTAssertEqual(try rude.handshake(path: "/ws", protocols: ["x"]).status, 101)
        _ = try rude.readFrame()
        rude.send(opcode: 2, [1, 2, 3], masked: false)
        XCTAssertEqual(try rude.readFrame().closeCode, 1002, "an unmasked client frame is a protocol error")
        waitUntil("both sockets handed back") { server.webSocketCount == 0 }
    }

    func testStopClosesOpenWebSocketsWithGoingAway() throws {
        let client = try WebSocketTestClient(port: server.port)
        XCTAssertEqual(try client.handshake(path: "/ws", protocols: ["x"]).status, 101)
        _ = try client.readFrame()
        waitUntil("registered") { server.webSocketCount == 1 }
        server.stop()
        XCTAssertEqual(try client.readFrame().closeCode, 1001)
        XCTAssertEqual(server.webSocketCount, 0)
    }

    func testPlainRequestsStillWork() throws {
        let client = try RawHTTPClient(port: server.port)
        XCTAssertEqual(try client.request("GET", "/other").status, 404)
    }
}

/// libmicrohttpd's idle timeout is for HTTP requests; an upgraded socket is the application's, so an
/// interactive exec left idle longer than the timeout stays open.
final class WebSocketIdleTests: XCTestCase {
    func testIdleWebSocketOutlivesTheHTTPConnectionTimeout() throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.connectionTimeoutSeconds = 1
        let echo = WebSocketUpgradeTests.EchoSocket()
        let server = MicroHTTPServer(configuration: configuration, handler: WebSocketUpgradeTests.UpgradeHandler(socket: echo))
        try server.start()
        defer { server.stop() }
        let client = try WebSocketTestClient(port: server.port)
        XCTAssertEqual(try client.handshake(path: "/ws", protocols: ["x"]).status, 101)
        _ = try client.readFrame()
        // Time passing is what is tested here: idle for more than twice the HTTP timeout.
        Thread.sleep(forTimeInterval: 2.5)
        client.send(opcode: 9, [7])
        XCTAssertEqual(try client.readFrame(), .init(fin: true, opcode: 10, payload: [7]))
    }
}
