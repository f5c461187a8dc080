import Foundation
@testable import HTTPServer
import KubeliteTesting
import XCTest

/// Connection bounds through real sockets: the connection limit with the inactivity timeout, slow
/// heads, watches (suspended) outliving the timeout, and watches whose client hangs up.
final class ConnectionLimitTests: XCTestCase {
    /// A server whose `/watch` is an idle stream (kept in `streams`) and anything else a 200.
    final class WatchOrEcho: HTTPHandler, @unchecked Sendable {
        private let lock = NSLock()
        private var opened: [QueueStream] = []
        var streams: [QueueStream] { lock.lock(); defer { lock.unlock() }; return opened }

        func handle(_ request: HTTPRequest) -> HTTPResponse {
            guard request.path == "/watch" else { return EchoHandler().handle(request) }
            let stream = QueueStream()
            lock.lock(); opened.append(stream); lock.unlock()
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], stream: stream)
        }
    }

    let handler = WatchOrEcho()

    func startServer(limit: Int = 100, timeoutSeconds: Int = 1) throws -> MicroHTTPServer {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.threads = 1
        configuration.connectionLimit = limit
        configuration.connectionTimeoutSeconds = timeoutSeconds
        let server = MicroHTTPServer(configuration: configuration, handler: handler)
        try server.start()
        return server
    }

    func testDefaultsBoundConnectionsBelowTheFileLimitAndCloseIdleOnes() {
        let configuration = HTTPServerConfiguration()
        XCTAssertEqual(configuration.connectionTimeoutSeconds, 90)
        XCTAssertLessThanOrEqual(configuration.connectionLimit, FileDescriptorLimit.current - 128)
        XCTAssertEqual(FileDescriptorLimit.connectionLimit(for: 1024), 896)
        XCTAssertEqual(FileDescriptorLimit.connectionLimit(for: 65536), 58983)
    }

    func testIdleConnectionsAtTheLimitDoNotLockOutANewClientPastTheTimeout() throws {
        let server = try startServer(limit: 3)
        defer { server.stop() }
        let idle = try (0..<3).map { _ in try RawHTTPClient(port: server.port) }
        waitUntil("the idle connections accepted") { server.openConnectionCount == 3 }
        let started = Date()
        let client = try RawHTTPClient(port: server.port)
        XCTAssertEqual(try client.request("GET", "/ready").status, 200)
        let waited = Date().timeIntervalSince(started)
        XCTAssertGreaterThan(waited, 0.5, "served before the idle connections timed out: the limit did not hold")
        XCTAssertLessThan(waited, 5)
        for socket in idle { XCTAssertTrue(socket.readUntilClosed()) }
    }

    func testClientStallingInItsHeadIsCutAfterTheTimeout() throws {
        let server = try startServer()
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        let started = Date()
        client.send(Array("GET /slow HTTP/1.1\r\nHost: x\r\nX-Part".utf8))
        XCTAssertTrue(client.readUntilClosed())
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertTrue(waitUntil("connection released") { server.openConnectionCount == 0 })
    }

    func testSuspendedWatchOutlivesTheTimeout() throws {
        let server = try startServer()
        defer { server.stop() }
        let watch = try RawHTTPClient(port: server.port)
        watch.send(Array("GET /watch HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        waitUntil("the watch attached") { handler.streams.count == 1 }
        // The idle neighbour's close shows the timeout has passed for the watch too.
        let idle = try RawHTTPClient(port: server.port)
        XCTAssertTrue(idle.readUntilClosed())
        handler.streams[0].push("{\"type\":\"ADDED\"}\n")
        XCTAssertEqual(try watch.readResponseHeadAndFirstChunk(), "{\"type\":\"ADDED\"}\n")
    }

    func testWatchWhoseClientHangsUpReleasesItsConnectionAtOnce() throws {
        let server = try startServer(timeoutSeconds: 600)
        defer { server.stop() }
        // One watch first: what the server opens once, on its first suspended connection (the hang-up
        // monitor's descriptors), is then part of the count to come back to.
        var warmUp: RawHTTPClient? = try RawHTTPClient(port: server.port)
        warmUp?.send(Array("GET /watch HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        waitUntil("the first watch suspended") { server.hangupMonitor?.count == 1 }
        warmUp = nil
        waitUntil("the first watch released") { server.openConnectionCount == 0 }
        let descriptorsBefore = Self.openDescriptors()
        var watches = try (0..<20).map { _ in try RawHTTPClient(port: server.port) }
        for watch in watches { watch.send(Array("GET /watch HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) }
        waitUntil("the watches suspended") { server.hangupMonitor?.count == 20 }
        XCTAssertEqual(server.openConnectionCount, 20)
        let started = Date()
        watches.removeAll()  // closes the client sockets
        XCTAssertTrue(waitUntil("connections released", timeout: 2) { server.openConnectionCount == 0 })
        let released = Date().timeIntervalSince(started)
        XCTAssertLessThan(released, 1)
        XCTAssertEqual(server.hangupMonitor?.count, 0)
        XCTAssertTrue(waitUntil("descriptors released", timeout: 10) { Self.openDescriptors() <= descriptorsBefore })
        print("20 hung-up watches released in \(Int(released * 1000)) ms")
    }

    func testPerAddressLimitCountsNonLoopbackAddressesOnly() {
        let admission = ConnectionAdmission(limitPerAddress: 2)
        for _ in 0..<2 {
            XCTAssertTrue(admission.admits("192.0.2.7"))
            admission.opened("192.0.2.7")
        }
        XCTAssertFalse(admission.admits("192.0.2.7"))
        XCTAssertTrue(admission.admits("192.0.2.8"))
        XCTAssertTrue(admission.admits(nil))  // loopback
        admission.closed("192.0.2.7")
        XCTAssertTrue(admission.admits("192.0.2.7"))
        XCTAssertEqual(admission.openConnections, 1)
        XCTAssertTrue(ConnectionAdmission(limitPerAddress: 0).admits("192.0.2.7"))
    }

    func testLoopbackAddressesAreNotCounted() {
        func key(_ text: String) -> String? {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, text, &address.sin_addr)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { ConnectionAdmission.key($0) }
            }
        }
        XCTAssertNil(key("127.0.0.1"))
        XCTAssertNil(key("127.3.2.1"))
        XCTAssertEqual(key("10.1.2.3"), "10.1.2.3")
    }

    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }
}
