import Foundation
import HTTPServer
import KubeliteTesting
import XCTest

/// Defers every answer and hands the `DeferredResponse` to `schedule`, which completes it (or not).
struct DeferringHandler: HTTPHandler {
    let schedule: @Sendable (HTTPRequest, DeferredResponse) -> Void

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let deferred = DeferredResponse()
        schedule(request, deferred)
        return .deferred(deferred)
    }

    static func answer(_ request: HTTPRequest) -> HTTPResponse {
        HTTPResponse(status: 201, headers: [("Content-Type", "text/plain")],
                     body: Array("\(request.method) \(request.path) body=\(request.body.count)".utf8))
    }
}

/// Deferred responses that are never completed by the handler, kept for the test to complete.
final class Parked: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [DeferredResponse] = []
    func add(_ d: DeferredResponse) { lock.lock(); items.append(d); lock.unlock() }
    var all: [DeferredResponse] { lock.lock(); defer { lock.unlock() }; return items }
}

final class DeferredResponseTests: XCTestCase {
    private func start(_ handler: DeferringHandler, threads: Int = 2) throws -> MicroHTTPServer {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.threads = threads
        let server = MicroHTTPServer(configuration: configuration, handler: handler)
        try server.start()
        return server
    }

    func testCompletionFromAnotherThreadAnswersAndKeepsTheConnectionAlive() throws {
        let server = try start(DeferringHandler { request, deferred in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(30)) {
                deferred.complete(DeferringHandler.answer(request))
            }
        })
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        for i in 0..<3 {
            let response = try client.request("POST", "/objects/\(i)", body: Array(repeating: 65, count: 10))
            XCTAssertEqual(response.status, 201)
            XCTAssertEqual(response.text, "POST /objects/\(i) body=10")
            XCTAssertNotEqual(response.headers["connection"]?.lowercased(), "close")
        }
        XCTAssertTrue(waitUntil { server.deferredRequestCount == 0 })
    }

    /// While one request waits, the server's only thread still answers others: nothing blocks on it.
    func testAWaitingRequestHoldsNoServerThread() throws {
        let parked = Parked()
        let server = try start(DeferringHandler { request, deferred in
            if request.path == "/slow" { parked.add(deferred) } else { deferred.complete(DeferringHandler.answer(request)) }
        }, threads: 1)
        defer { server.stop() }
        let slow = try RawHTTPClient(port: server.port)
        slow.send(Array("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        XCTAssertTrue(waitUntil { parked.all.count == 1 })
        let fast = try RawHTTPClient(port: server.port)
        for _ in 0..<5 { XCTAssertEqual(try fast.request("GET", "/fast").status, 201) }
        parked.all[0].complete(HTTPResponse(status: 200, body: Array("late".utf8)))
        let late = try slow.readResponse()
        XCTAssertEqual(late.status, 200)
        XCTAssertEqual(late.text, "late")
    }

    /// Completion racing the suspend: before the handler returns, and on another thread at once.
    func testCompletionRacingTheSuspendAlwaysAnswers() throws {
        let server = try start(DeferringHandler { request, deferred in
            if request.path == "/sync" {
                deferred.complete(DeferringHandler.answer(request))
            } else {
                DispatchQueue.global().async { deferred.complete(DeferringHandler.answer(request)) }
            }
        })
        defer { server.stop() }
        let port = server.port
        let failures = NSLock()
        nonisolated(unsafe) var failed: [String] = []
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            do {
                let client = try RawHTTPClient(port: port)
                for i in 0..<250 {
                    let path = i % 2 == 0 ? "/sync" : "/async"
                    let response = try client.request("GET", path)
                    if response.status != 201 || response.text != "GET \(path) body=0" {
                        failures.lock(); failed.append("\(worker)/\(i): \(response.status) \(response.text)"); failures.unlock()
                    }
                }
            } catch {
                failures.lock(); failed.append("\(worker): \(error)"); failures.unlock()
            }
        }
        XCTAssertEqual(failed, [])
        XCTAssertTrue(waitUntil { server.deferredRequestCount == 0 })
    }

    func testStopAnswersPendingDeferredRequestsWith503() throws {
        let parked = Parked()
        let server = try start(DeferringHandler { _, deferred in parked.add(deferred) })
        let clients = try (0..<3).map { _ in try RawHTTPClient(port: server.port) }
        for client in clients { client.send(Array("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".utf8)) }
        XCTAssertTrue(waitUntil { server.deferredRequestCount == 3 && parked.all.count == 3 })
        let stopped = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { server.stop(); stopped.signal() }
        for client in clients {
            let response = try client.readResponse()
            XCTAssertEqual(response.status, 503)
            XCTAssertTrue(response.text.contains("\"reason\":\"ServiceUnavailable\""), response.text)
        }
        XCTAssertEqual(stopped.wait(timeout: .now() + 10), .success)
        // A completion after stop is ignored and touches no connection.
        for deferred in parked.all { deferred.complete(HTTPResponse(status: 201)) }
    }

    func testClientHangingUpWhileDeferredIsCleanedUp() throws {
        let parked = Parked()
        let server = try start(DeferringHandler { request, deferred in
            if request.path == "/hangup" { parked.add(deferred) } else { deferred.complete(DeferringHandler.answer(request)) }
        })
        defer { server.stop() }
        do {
            let client = try RawHTTPClient(port: server.port)
            client.send(Array("POST /hangup HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".utf8))
            XCTAssertTrue(waitUntil { parked.all.count == 1 })
        }  // the client closes its socket here, before the completion below
        parked.all[0].complete(HTTPResponse(status: 201, body: Array("nobody listens".utf8)))
        XCTAssertTrue(waitUntil { server.deferredRequestCount == 0 })
        let other = try RawHTTPClient(port: server.port)
        XCTAssertEqual(try other.request("GET", "/after").status, 201)
    }

    func testWaitReturnsTheCompletedResponse() {
        let deferred = DeferredResponse()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) {
            deferred.complete(HTTPResponse(status: 204))
            deferred.complete(HTTPResponse(status: 500))
        }
        XCTAssertEqual(deferred.wait(timeout: .seconds(5))?.status, 204)
        XCTAssertTrue(deferred.isCompleted)
    }
}
