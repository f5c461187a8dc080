import APIMachinery
@testable import APIServer
import Foundation
import HTTPServer
import KubeliteTesting
import Logging
import Registry
import Storage
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The request log over real HTTP: httplog's line, with the client's address and user agent from
/// the HTTP layer; every request at debug, slow ones, server errors and ended watches at info;
/// deferred (durable) writes with their real status.
final class RequestLogTests: XCTestCase {
    var capture: LogCapture!
    var http: MicroHTTPServer!
    var directory: String?

    func startServer(storage: (any Storage)? = nil, threshold: Duration = .seconds(60)) throws {
        capture = LogCapture()
        http = try LiveAPIServer(storage: storage, logger: capture.logger(label: "api", level: .debug), requestLogThreshold: threshold).http
    }

    override func tearDown() {
        http?.stop()
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }

    func testEveryRequestAtDebugWithClientAddressAndUserAgent() throws {
        try startServer()
        XCTAssertEqual(try request("GET", "/api/v1/namespaces/default/configmaps?limit=5&labelSelector=app%3Dweb"), 200)
        XCTAssertEqual(try request("GET", "/api/v1/namespaces/default/configmaps/missing"), 404)

        let list = try XCTUnwrap(capture.wait(for: "verb=\"LIST\""))
        XCTAssertEqual(list.level, .debug)
        XCTAssertTrue(list.message.hasPrefix("\"HTTP\" verb=\"LIST\" URI=\"/api/v1/namespaces/default/configmaps?limit=5&labelSelector=app%3Dweb\" latency=\""),
                      list.message)
        XCTAssertNotNil(list.message.range(of: #" userAgent="request-log-test/1.0" audit-ID="[0-9a-f-]{36}" srcIP="127\.0\.0\.1:"#,
                                           options: .regularExpression), list.message)
        XCTAssertTrue(list.message.hasSuffix(" resp=200"), list.message)
        // A 404 is a normal answer: debug, not info.
        let missing = try XCTUnwrap(capture.wait(for: "configmaps/missing"))
        XCTAssertEqual(missing.level, .debug)
        XCTAssertTrue(missing.message.hasSuffix(" resp=404"), missing.message)
    }

    func testSlowRequestsAreLoggedAtInfo() throws {
        try startServer(threshold: .zero)
        XCTAssertEqual(try request("GET", "/api/v1/namespaces/default"), 200)
        let record = try XCTUnwrap(capture.wait(for: "URI=\"/api/v1/namespaces/default\""))
        XCTAssertEqual(record.level, .info)
    }

    func testWatchIsLoggedAtInfoWhenItEnds() throws {
        try startServer()
        let client = try WatchClient(port: http.port)
        try client.get("/api/v1/namespaces?watch=true")
        XCTAssertNotNil(try client.nextEvent())
        XCTAssertTrue(capture.records(containing: "verb=\"WATCH\"").isEmpty, "logged before the watch ended")
        client.disconnect()
        // An idle watch's connection is suspended: the server learns of the close when a write fails
        // (the first after the peer's FIN is still buffered by the kernel).
        var record: LogCapture.Record?
        for sent in 1...10 where record == nil {
            let body = #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"wake-\#(sent)"}}"#
            XCTAssertEqual(try request("POST", "/api/v1/namespaces", body: body), 201)
            record = capture.wait(for: "verb=\"WATCH\"", timeout: 0.2)
        }
        let watch = try XCTUnwrap(record)
        XCTAssertEqual(watch.level, .info)
        XCTAssertTrue(watch.message.contains("URI=\"/api/v1/namespaces?watch=true\""), watch.message)
        XCTAssertTrue(watch.message.contains(" resp=200 watchEvents="), watch.message)
    }

    func testDeferredWritesAreLoggedWithTheirStatus() throws {
        let directory = NSTemporaryDirectory() + "kubelite-request-log-\(UUID().uuidString)"
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let storage = try SQLiteStorage(directory: directory, compactionInterval: .seconds(3600))
        defer { storage.close() }
        try startServer(storage: storage)
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"logged"}}"#
        XCTAssertEqual(try request("POST", "/api/v1/namespaces/default/configmaps", body: body), 201)
        XCTAssertEqual(try request("POST", "/api/v1/namespaces/default/configmaps", body: body), 409)
        XCTAssertNotNil(capture.wait(for: "verb=\"POST\""))
        let posts = capture.records(containing: "verb=\"POST\"").map(\.message)
        XCTAssertEqual(posts.filter { $0.hasSuffix(" resp=201") }.count, 1, "\(posts)")
        XCTAssertNotNil(capture.wait(for: " resp=409"), "\(capture.records.map(\.message))")
        http.stop()
    }

    func testLatencyIsWrittenAsGoWritesDurations() {
        XCTAssertEqual(GoDuration.string(.nanoseconds(812)), "812ns")
        XCTAssertEqual(GoDuration.string(.microseconds(1500)), "1.5ms")
        XCTAssertEqual(GoDuration.string(.nanoseconds(1_234_567)), "1.234567ms")
        XCTAssertEqual(GoDuration.string(.milliseconds(2500)), "2.5s")
        XCTAssertEqual(GoDuration.string(.seconds(90)), "1m30s")
        XCTAssertEqual(GoDuration.string(.microseconds(40)), "40µs")
        XCTAssertEqual(GoDuration.string(.zero), "0s")
    }

    /// One request through URLSession (a real socket), with a user agent of our own; returns the status.
    private func request(_ method: String, _ path: String, body: String? = nil) throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(http.port)\(path)")!)
        request.httpMethod = method
        request.setValue("request-log-test/1.0", forHTTPHeaderField: "User-Agent")
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let done = DispatchSemaphore(value: 0)
        let status = LockedStatus()
        URLSession.shared.dataTask(with: request) { _, response, _ in
            status.set((response as? HTTPURLResponse)?.statusCode ?? -1)
            done.signal()
        }.resume()
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        return status.get()
    }
}

private final class LockedStatus: @unchecked Sendable {
    private let lock = NSLock()
    private var value = -1
    func set(_ v: Int) { lock.lock(); value = v; lock.unlock() }
    func get() -> Int { lock.lock(); defer { lock.unlock() }; return value }
}
