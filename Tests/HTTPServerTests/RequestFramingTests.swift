import Foundation
@testable import HTTPServer
import XCTest

/// Records every request it serves, so a test can tell whether a smuggled request ran.
final class RecordingHandler: HTTPHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [String] = []

    var paths: [String] { lock.lock(); defer { lock.unlock() }; return seen }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        lock.lock(); seen.append(request.path); lock.unlock()
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], body: Array("ok \(request.body.count)".utf8))
    }
}

/// RFC 9112 framing through real sockets: each ambiguous head is refused before its body is read,
/// with a Status, the connection closed, and nothing after it run as another request.
final class RequestFramingTests: XCTestCase {
    var server: MicroHTTPServer!
    let handler = RecordingHandler()

    override func setUpWithError() throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.maxBodyBytes = 1024
        configuration.maxHeaderBytes = 4096
        server = MicroHTTPServer(configuration: configuration, handler: handler)
        try server.start()
    }

    override func tearDown() { server.stop() }

    /// Sends `head` (CRLF line ends added) and `body`, expects a refusal with `code` and `reason`,
    /// the connection closed, and no request served.
    func assertRefused(_ head: [String], body: String = "", code: Int = 400, reason: String = "BadRequest",
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let client = try RawHTTPClient(port: server.port)
        let started = Date()
        client.send(Array((head.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8))
        let response = try client.readResponse()
        XCTAssertEqual(response.status, code, response.text, file: file, line: line)
        let status = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        XCTAssertEqual(status?["kind"] as? String, "Status", response.text, file: file, line: line)
        XCTAssertEqual(status?["reason"] as? String, reason, response.text, file: file, line: line)
        XCTAssertEqual(status?["code"] as? Int, code, file: file, line: line)
        XCTAssertEqual(response.headers["connection"]?.lowercased(), "close", file: file, line: line)
        XCTAssertTrue(client.readUntilClosed(), "connection left open", file: file, line: line)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, file: file, line: line)
        XCTAssertEqual(handler.paths, [], "a refused or smuggled request was served", file: file, line: line)
    }

    func testContentLengthWithTransferEncodingIsRefusedAndTheSmuggledRequestNotRun() throws {
        try assertRefused(["POST /first HTTP/1.1", "Host: x", "Content-Length: 4", "Transfer-Encoding: chunked"],
                          body: "0\r\n\r\nDELETE /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
    }

    func testDifferentContentLengthsAreRefused() throws {
        try assertRefused(["POST /first HTTP/1.1", "Host: x", "Content-Length: 2", "Content-Length: 40"],
                          body: "{}DELETE /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
    }

    func testRepeatedEqualContentLengthsAreServed() throws {
        let client = try RawHTTPClient(port: server.port)
        client.send(Array("POST /same HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}".utf8))
        XCTAssertEqual(try client.readResponse().text, "ok 2")
    }

    func testWhitespaceBeforeTheColonIsRefused() throws {
        try assertRefused(["POST /first HTTP/1.1", "Host: x", "Transfer-Encoding : chunked"],
                          body: "2\r\n{}\r\n0\r\n\r\n")
    }

    func testUnknownTransferEncodingIsRefusedNotWaitedFor() throws {
        try assertRefused(["POST /first HTTP/1.1", "Host: x", "Transfer-Encoding: gzip"], body: "abc",
                          code: 501, reason: "NotImplemented")
    }

    func testTwoTransferEncodingsAreRefused() throws {
        try assertRefused(["POST /first HTTP/1.1", "Host: x", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"],
                          body: "0\r\n\r\n")
    }

    func testTransferEncodingInHTTP10IsRefused() throws {
        try assertRefused(["POST /first HTTP/1.0", "Transfer-Encoding: chunked"], body: "0\r\n\r\n")
    }

    func testHugeContentLengthIsRefusedAtOnce() throws {
        try assertRefused(["POST /first HTTP/1.1", "Host: x", "Content-Length: 999999999999"], body: "abc",
                          code: 413, reason: "RequestEntityTooLarge")
    }

    /// A length beyond 64 bits is refused by libmicrohttpd itself before our handler runs: its own
    /// 413 page, but promptly and with the connection closed.
    func testContentLengthBeyond64BitsIsRefusedByLibmicrohttpd() throws {
        let client = try RawHTTPClient(port: server.port)
        client.send(Array("POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\nabc".utf8))
        XCTAssertEqual(try client.readResponse().status, 413)
        XCTAssertTrue(client.readUntilClosed())
        XCTAssertEqual(handler.paths, [])
    }

    func testMissingOrRepeatedHostIsRefused() throws {
        try assertRefused(["GET /first HTTP/1.1"])
        try assertRefused(["GET /first HTTP/1.1", "Host: a", "Host: b"])
    }

    func testChunkedUploadIsServed() throws {
        let client = try RawHTTPClient(port: server.port)
        client.send(Array("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n".utf8))
        XCTAssertEqual(try client.readResponse().text, "ok 2")
        XCTAssertEqual(handler.paths, ["/chunked"])
    }

    func testOversizedHeadIsRefusedBeforeItsBody() throws {
        try assertRefused(["POST /first HTTP/1.1", "Host: x", "Content-Length: 3", "X-Big: " + String(repeating: "a", count: 5000)],
                          body: "abc", code: 431, reason: "RequestHeaderFieldsTooLarge")
    }

    /// Heads that nearly fill libmicrohttpd's 16 KiB connection buffer leave it no room to build any
    /// answer; they used to be reported as hanging. Each size gets a 431 or a prompt close, never a wait.
    func testHeadsAroundTheConnectionBufferAreAnsweredOrClosedPromptly() throws {
        for size in stride(from: 15_800, through: 16_600, by: 25) {
            let client = try RawHTTPClient(port: server.port)
            let started = Date()
            client.send(Array("GET /big HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: size))\r\n\r\n".utf8))
            let answer = try? client.readResponse()
            if let answer { XCTAssertEqual(answer.status, 431, "head of \(size) bytes") }
            XCTAssertTrue(client.readUntilClosed(), "head of \(size) bytes: connection left open")
            XCTAssertLessThan(Date().timeIntervalSince(started), 2, "head of \(size) bytes")
        }
        XCTAssertEqual(handler.paths, [])
    }

    func testHeaderFieldNames() {
        XCTAssertTrue(RequestFraming.isToken("Content-Length"))
        XCTAssertTrue(RequestFraming.isToken("x-a_b.c!"))
        XCTAssertFalse(RequestFraming.isToken("Transfer-Encoding "))
        XCTAssertFalse(RequestFraming.isToken(""))
        XCTAssertFalse(RequestFraming.isToken("a\tb"))
        XCTAssertTrue(RequestFraming.named("Content-LENGTH", "content-length"))
        XCTAssertTrue(RequestFraming.named("host", "host"))
        XCTAssertFalse(RequestFraming.named("hosts", "host"))
        XCTAssertFalse(RequestFraming.named("Content_Length", "content-length"))
    }
}
