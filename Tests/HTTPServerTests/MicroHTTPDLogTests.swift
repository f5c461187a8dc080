import Foundation
@testable import HTTPServer
import KubeliteTesting
import Logging
import XCTest

/// libmicrohttpd's own messages go through the server's logger (never raw to stderr), at debug
/// when a client misbehaves or goes away.
final class MicroHTTPDLogTests: XCTestCase {
    func testMalformedRequestIsLoggedThroughTheLoggerAtDebug() throws {
        let capture = LogCapture()
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.threads = 1
        let server = MicroHTTPServer(configuration: configuration, handler: EchoHandler(), logger: capture.logger(label: "http"))
        try server.start()
        defer { server.stop() }

        let client = try RawHTTPClient(port: server.port)
        client.send(Array("POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n".utf8))
        XCTAssertEqual(try client.readResponse().status, 400)

        let record = try XCTUnwrap(capture.wait(for: "libmicrohttpd: Failed to parse `Content-Length' header"),
                                   "captured: \(capture.records.map(\.message))")
        XCTAssertEqual(record.level, .debug)
        XCTAssertEqual(record.label, "http")
    }

    func testClientSideMessagesAreDebugAndServerSideOnesWarnings() {
        XCTAssertEqual(MicroHTTPDLog.level(of: "Connection was closed by remote side with incomplete request."), .debug)
        XCTAssertEqual(MicroHTTPDLog.level(of: "Failed to send the chunked response body for the request for `/api'. Error: Broken pipe"), .debug)
        XCTAssertEqual(MicroHTTPDLog.level(of: "Call to epoll_ctl failed: Bad file descriptor"), .warning)
        XCTAssertEqual(MicroHTTPDLog.level(of: "Failed to create a thread: Resource temporarily unavailable"), .warning)
    }
}

/// The message text as formatted: trimmed of the newline libmicrohttpd ends it with, and matched
/// against the client-side phrases whatever their case.
final class MicroHTTPDLogTextTests: XCTestCase {
    func testTrimmedDropsSurroundingWhitespaceOnly() {
        XCTAssertEqual(Array(MicroHTTPDLog.trimmed(Array(" \tClosing connection.\r\n".utf8))), Array("Closing connection.".utf8))
        XCTAssertEqual(Array(MicroHTTPDLog.trimmed(Array("a b".utf8))), Array("a b".utf8))
        XCTAssertTrue(MicroHTTPDLog.trimmed(Array(" \n".utf8)).isEmpty)
        XCTAssertTrue(MicroHTTPDLog.trimmed([]).isEmpty)
    }

    func testPhrasesMatchWhateverTheirCase() {
        XCTAssertEqual(MicroHTTPDLog.level(of: "closing connection (APPLICATION ERROR generating response)."), .debug)
        XCTAssertEqual(MicroHTTPDLog.level(of: "Socket Is Closed"), .debug)
        XCTAssertEqual(MicroHTTPDLog.level(of: ""), .warning)
    }
}
