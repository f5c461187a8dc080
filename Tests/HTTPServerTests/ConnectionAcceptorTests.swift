import Foundation
@testable import HTTPServer
import KubeliteTesting
import XCTest

/// The acceptor hands connections to libmicrohttpd's workers itself, so connections opened together
/// are spread over the workers instead of landing on whichever worker woke first.
final class ConnectionAcceptorTests: XCTestCase {
    /// Answers every request with the name of the thread that served it.
    struct ServingThread: HTTPHandler {
        func handle(_ request: HTTPRequest) -> HTTPResponse {
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?"
            let text = name.trimmingCharacters(in: .whitespacesAndNewlines)
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], body: Array("\(text) \(pthread_self())".utf8))
        }
    }

    func testConnectionsOpenedTogetherAreSpreadOverTheWorkers() throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.threads = 2
        let server = MicroHTTPServer(configuration: configuration, handler: ServingThread())
        try server.start()
        defer { server.stop() }
        // Opened before any is used, as a load generator opens its connections.
        let clients = try (0..<20).map { _ in try RawHTTPClient(port: server.port) }
        var served: [String: Int] = [:]
        for client in clients {
            let answer = try client.request("GET", "/")
            XCTAssertEqual(answer.status, 200)
            served[String(decoding: answer.body, as: UTF8.self), default: 0] += 1
        }
        XCTAssertEqual(served.count, 2, "every connection served by one worker: \(served)")
        XCTAssertTrue(served.keys.allSatisfy { $0.hasPrefix("MHD-worker") }, "\(served)")
        // libmicrohttpd picks a worker by the socket's descriptor number modulo the pool size: consecutive
        // accepts alternate, unless other threads of this process (earlier tests' leftovers) take
        // descriptors in between. Without the acceptor one worker took all 20.
        for (worker, count) in served { XCTAssertGreaterThanOrEqual(count, 5, "\(worker) served \(count) of 20: \(served)") }
    }

    func testStopClosesTheListeningSocket() throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let server = MicroHTTPServer(configuration: configuration, handler: ServingThread())
        try server.start()
        let port = server.port
        server.stop()
        XCTAssertThrowsError(try RawHTTPClient(port: port), "connected after stop: the listening socket is still open")
    }
}
