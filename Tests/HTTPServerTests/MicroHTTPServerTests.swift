import Foundation
import HTTPServer
import XCTest

/// Echoes what it received, so tests can see how the wrapper parsed the request.
struct EchoHandler: HTTPHandler {
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let query = request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let text = "\(request.method) \(request.path) ?\(query) body=\(request.body.count) ua=\(request.header("User-Agent") ?? "")"
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain"), ("X-Test", "1")], body: Array(text.utf8))
    }
}

final class MicroHTTPServerTests: XCTestCase {
    var server: MicroHTTPServer!

    override func setUpWithError() throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.maxBodyBytes = 1024
        configuration.maxHeaderBytes = 4096
        server = MicroHTTPServer(configuration: configuration, handler: EchoHandler())
        try server.start()
    }

    override func tearDown() { server.stop() }

    func testAnswersOnAPickedPortAndKeepsTheConnectionAlive() throws {
        XCTAssertNotEqual(server.port, 0)
        let client = try RawHTTPClient(port: server.port)
        for i in 0..<3 {
            let response = try client.request("GET", "/api/v1/pods?limit=\(i)&labelSelector=app%3Dweb", headers: ["User-Agent": "t"])
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.text, "GET /api/v1/pods ?limit=\(i)&labelSelector=app=web body=0 ua=t")
            XCTAssertEqual(response.headers["x-test"], "1")
            XCTAssertNotEqual(response.headers["connection"]?.lowercased(), "close")
        }
    }

    /// A percent-encoded NUL stays in the value: cut there, `labelSelector=a%3Db%00c` would reach the
    /// API server as the valid selector `a=b` instead of the invalid one the client sent.
    func testQueryValuesKeepAnEncodedNUL() throws {
        let client = try RawHTTPClient(port: server.port)
        let response = try client.request("GET", "/api/v1/pods?labelSelector=a%3Db%00c&x=1", headers: ["User-Agent": "t"])
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "GET /api/v1/pods ?labelSelector=a=b\u{0}c&x=1 body=0 ua=t")
    }

    func testReadsBodies() throws {
        let client = try RawHTTPClient(port: server.port)
        let response = try client.request("POST", "/x", body: Array(repeating: 65, count: 1000))
        XCTAssertEqual(response.text, "POST /x ? body=1000 ua=")
    }

    func testBodyOverLimitGets413Status() throws {
        let client = try RawHTTPClient(port: server.port)
        let response = try client.request("POST", "/x", body: Array(repeating: 65, count: 5000))
        XCTAssertEqual(response.status, 413)
        XCTAssertTrue(response.text.contains("\"reason\":\"RequestEntityTooLarge\""), response.text)
        XCTAssertTrue(response.text.contains("\"kind\":\"Status\""))
    }

    func testOversizedHeadersGet431Status() throws {
        let client = try RawHTTPClient(port: server.port)
        let response = try client.request("GET", "/x", headers: ["X-Big": String(repeating: "a", count: 8000)])
        XCTAssertEqual(response.status, 431)
        XCTAssertTrue(response.text.contains("\"kind\":\"Status\""), response.text)
    }

    func testConcurrentClients() throws {
        let port = server.port
        let failures = NSLock()
        nonisolated(unsafe) var failed = 0
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                let client = try RawHTTPClient(port: port)
                for _ in 0..<50 where try client.request("GET", "/").status != 200 {
                    failures.lock(); failed += 1; failures.unlock()
                }
            } catch {
                failures.lock(); failed += 1; failures.unlock()
            }
        }
        XCTAssertEqual(failed, 0)
    }
}

/// A stream that emits queued chunks and suspends between them.
final class QueueStream: ResponseStream, @unchecked Sendable {
    private let lock = NSLock()
    private var chunks: [[UInt8]] = []
    private var ended = false
    private var wake: (@Sendable () -> Void)?

    func attach(wake: @escaping @Sendable () -> Void) { lock.lock(); self.wake = wake; lock.unlock() }

    func push(_ text: String) {
        lock.lock(); chunks.append(Array(text.utf8)); let w = wake; lock.unlock()
        w?()
    }

    func finish() { lock.lock(); ended = true; let w = wake; lock.unlock(); w?() }

    func read(max: Int) -> StreamRead {
        lock.lock(); defer { lock.unlock() }
        if !chunks.isEmpty { return .data(chunks.removeFirst()) }
        return ended ? .end : .pending
    }

    func close() { lock.lock(); ended = true; lock.unlock() }
}

struct StreamHandler: HTTPHandler {
    let stream: QueueStream
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], stream: stream)
    }
}

final class StreamingResponseTests: XCTestCase {
    func testChunksArriveAsPushedAndTheStreamEnds() throws {
        let stream = QueueStream()
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let server = MicroHTTPServer(configuration: configuration, handler: StreamHandler(stream: stream))
        try server.start()
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        client.send(Array("GET /watch HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        stream.push("{\"type\":\"ADDED\"}\n")
        // Headers, then the first chunk.
        let first = try client.readResponseHeadAndFirstChunk()
        XCTAssertEqual(first, "{\"type\":\"ADDED\"}\n")
        stream.push("{\"type\":\"DELETED\"}\n")
        XCTAssertEqual(String(decoding: try client.readChunk(), as: UTF8.self), "{\"type\":\"DELETED\"}\n")
        stream.finish()
        XCTAssertEqual(try client.readChunk(), [])
    }
}

extension RawHTTPClient {
    /// Reads a chunked response's head and returns its first chunk as text.
    func readResponseHeadAndFirstChunk() throws -> String {
        var head: [UInt8] = []
        var byte = [UInt8](repeating: 0, count: 1)
        while !(head.count >= 4 && head.suffix(4) == [13, 10, 13, 10]) {
            let n = byte.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 1, 0) }
            if n <= 0 { throw NSError(domain: "recv", code: 0) }
            head.append(byte[0])
        }
        return String(decoding: try readChunk(), as: UTF8.self)
    }
}
