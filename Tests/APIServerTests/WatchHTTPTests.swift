import APIMachinery
import APIServer
import Foundation
import KubeliteTesting
import Storage
import XCTest

/// Watches through a real socket: chunked events flushed as they happen, the stream's end, and the
/// Status answers and ERROR events for bad starts.
final class WatchHTTPTests: XCTestCase {
    var server: LiveAPIServer!

    override func setUpWithError() throws { server = try LiveAPIServer() }
    override func tearDown() { server.stop() }

    static let configMaps = "/api/v1/namespaces/default/configmaps"

    func listRevision() -> String {
        server.call("GET", Self.configMaps).json[path: "metadata", "resourceVersion"]?.stringValue ?? ""
    }

    func testEventsAreFlushedAsTheyHappen() throws {
        let client = try WatchClient(port: server.port)
        try client.get("\(Self.configMaps)?watch=1&resourceVersion=\(listRevision())")
        XCTAssertEqual(client.status, 200)
        XCTAssertEqual(client.headers["transfer-encoding"], "chunked")
        XCTAssertEqual(client.headers["content-type"], "application/json")

        // Each write is read back before the next is made: nothing waits for a buffer to fill.
        let created = server.call("POST", Self.configMaps, body: InProcessAPI.configMap("a"))
        XCTAssertEqual(created.status, 201)
        let added = try XCTUnwrap(client.nextEvent())
        XCTAssertEqual(added.watchType, "ADDED")
        XCTAssertEqual(added.watchName, "a")
        XCTAssertEqual(added.watchRevision, created.json[path: "metadata", "resourceVersion"]?.stringValue)
        XCTAssertEqual(added[path: "object", "kind"], "ConfigMap")
        XCTAssertEqual(added[path: "object", "apiVersion"], "v1")

        let patched = server.call("PATCH", "\(Self.configMaps)/a", body: ["data": ["k": "changed"]], contentType: "application/merge-patch+json")
        XCTAssertEqual(patched.status, 200)
        let modified = try XCTUnwrap(client.nextEvent())
        XCTAssertEqual(modified.watchType, "MODIFIED")
        XCTAssertEqual(modified[path: "object", "data", "k"], "changed")

        XCTAssertEqual(server.call("DELETE", "\(Self.configMaps)/a").status, 200)
        let deleted = try XCTUnwrap(client.nextEvent())
        XCTAssertEqual(deleted.watchType, "DELETED")
        XCTAssertEqual(deleted.watchName, "a")
    }

    func testTimeoutSecondsEndsTheStream() throws {
        let client = try WatchClient(port: server.port)
        let started = Date()
        try client.get("\(Self.configMaps)?watch=true&resourceVersion=\(listRevision())&timeoutSeconds=1")
        XCTAssertEqual(client.status, 200)
        XCTAssertEqual(try client.remainingEvents(timeout: 5), [])
        XCTAssertTrue(client.streamEnded)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9)
    }

    func testTheCurrentStateComesFirstWithoutAResourceVersion() throws {
        let client = try WatchClient(port: server.port)
        try client.get("/api/v1/namespaces?watch=1&timeoutSeconds=1")
        let names = try client.remainingEvents(timeout: 5).map { "\($0.watchType ?? "") \($0.watchName ?? "")" }
        XCTAssertEqual(names, ["ADDED default", "ADDED kube-node-lease", "ADDED kube-public", "ADDED kube-system"])
    }

    func testAClosedClientIsForgottenOnceEventsReachIt() throws {
        let client = try WatchClient(port: server.port)
        try client.get("\(Self.configMaps)?watch=1&resourceVersion=\(listRevision())")
        waitUntil("the watch registered") { server.api.registry.watcherCount == 1 }
        client.disconnect()
        // A suspended connection is not polled: events wake it, a write fails and the watch ends.
        var sent = 0
        let deadline = Date().addingTimeInterval(5)
        while server.api.registry.watcherCount > 0, Date() < deadline {
            sent += 1
            server.call("POST", Self.configMaps, body: InProcessAPI.configMap("wake-\(sent)"))
            RunLoop.current.run(until: Date().addingTimeInterval(0.1))
        }
        XCTAssertEqual(server.api.registry.watcherCount, 0, "the watch of a closed client survived \(sent) events")
        // The first write after the peer's FIN still succeeds (the kernel buffers it); the second fails.
        XCTAssertLessThanOrEqual(sent, 3)
    }

    func testACompactedRevisionIsAnExpiredErrorEvent() throws {
        server.stop()
        server = try LiveAPIServer(historyLimit: 3)
        let start = listRevision()
        for name in ["a", "b", "c", "d"] {
            XCTAssertEqual(server.call("POST", Self.configMaps, body: InProcessAPI.configMap(name)).status, 201)
        }
        let client = try WatchClient(port: server.port)
        try client.get("\(Self.configMaps)?watch=1&resourceVersion=\(start)")
        XCTAssertEqual(client.status, 200, "upstream reports an expired start in the stream, not as the response status")
        let events = try client.remainingEvents(timeout: 5)
        XCTAssertEqual(events.count, 1)
        let error = try XCTUnwrap(events.first)
        XCTAssertEqual(error.watchType, "ERROR")
        XCTAssertEqual(error[path: "object", "kind"], "Status")
        XCTAssertEqual(error[path: "object", "code"], 410)
        XCTAssertEqual(error[path: "object", "reason"], "Expired")
        let oldest = Int(start)! + 1
        XCTAssertEqual(error[path: "object", "message"], .string("too old resource version: \(start) (\(oldest))"))
    }

    func testATooLargeRevisionIsATimeoutErrorEvent() throws {
        let current = Int(listRevision())!
        let client = try WatchClient(port: server.port)
        try client.get("\(Self.configMaps)?watch=1&resourceVersion=\(current + 1000)")
        XCTAssertEqual(client.status, 200)
        let events = try client.remainingEvents(timeout: 5)
        XCTAssertEqual(events.count, 1)
        let status = try XCTUnwrap(events.first?["object"])
        XCTAssertEqual(events.first?.watchType, "ERROR")
        XCTAssertEqual(status["code"], 504)
        XCTAssertEqual(status["reason"], "Timeout")
        XCTAssertEqual(status["message"], .string("Timeout: Too large resource version: \(current + 1000), current: \(current)"))
        XCTAssertEqual(status[path: "details", "causes"], [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]])
        XCTAssertEqual(status[path: "details", "retryAfterSeconds"], 1)
    }
}
