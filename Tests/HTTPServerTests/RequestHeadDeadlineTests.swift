import Foundation
@testable import HTTPServer
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The absolute deadline on a new connection's first head (slowloris), which traffic does not reset.
final class RequestHeadDeadlineTests: XCTestCase {
    func testClientDrippingItsHeadIsCutAtTheDeadline() throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.connectionTimeoutSeconds = 600
        configuration.requestHeadTimeoutSeconds = 1
        let server = MicroHTTPServer(configuration: configuration, handler: EchoHandler())
        try server.start()
        defer { server.stop() }
        let dripping = try RawHTTPClient(port: server.port)
        let prompt = try RawHTTPClient(port: server.port)
        XCTAssertEqual(try prompt.request("GET", "/first").status, 200)
        let started = Date()
        dripping.send(Array("GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8))
        var cut = false
        // A byte every 100 ms keeps libmicrohttpd's inactivity timer from ever firing.
        while !cut, Date().timeIntervalSince(started) < 5 {
            dripping.send([UInt8(ascii: "a")])
            cut = waitUntilClosed(dripping, within: 0.1)
        }
        XCTAssertTrue(cut, "the dripping client was never cut")
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.9)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.5)
        XCTAssertEqual(server.headDeadline?.connectionsCut, 1)
        // A client whose first head came in time is not cut later, however long it stays.
        XCTAssertEqual(try prompt.request("GET", "/second").status, 200)
    }

    /// Whether `client`'s connection is closed by the server within `seconds`.
    func waitUntilClosed(_ client: RawHTTPClient, within seconds: Double) -> Bool {
        var poll = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
        guard Glibc.poll(&poll, 1, Int32(seconds * 1000)) == 1 else { return false }
        return client.readUntilClosed()
    }
}
