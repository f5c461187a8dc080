import APIMachinery
import APIServer
import Foundation
import HTTPServer
import KubeliteTesting
import Registry
import Storage
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Writes over real HTTP to an API server on the durable store: they run on the write pool, so
/// concurrent clients share group commits although the HTTP server has only two threads.
final class DurableWriteHTTPTests: XCTestCase {
    var directory = ""
    var storage: SQLiteStorage!
    var api: APIServer!
    var http: MicroHTTPServer!

    static let configMaps = "/api/v1/namespaces/default/configmaps"

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "kubelite-durable-http-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        storage = try SQLiteStorage(directory: directory, compactionInterval: .seconds(3600))
        let live = try LiveAPIServer(storage: storage)
        api = live.api
        http = live.http
    }

    override func tearDownWithError() throws {
        http?.stop()
        storage?.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// kubectl --request-timeout sends ?timeout=: a write still waiting for its commit then is
    /// answered 504 as upstream's deadline filter answers, and goes on (it is stored all the same).
    func testAWritePastItsDeadlineIs504AndStillStored() throws {
        storage.simulateSlowCommits(.milliseconds(1500))
        let body = JSONWriter.encode(InProcessAPI.configMap("late"))
        let started = Date()
        let late = try OneShotHTTP.send("POST", Self.configMaps + "?timeout=200ms", body: body, port: http.port)
        XCTAssertEqual(late.status, 504)
        XCTAssertEqual(late.json["reason"], "Timeout")
        XCTAssertEqual(late.json["message"], "Timeout: request did not complete within requested timeout - context deadline exceeded")
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.4, "answered at the deadline, not at the commit")
        let key = StorageKey(resource: "configmaps", namespace: "default", name: "late")
        XCTAssertTrue(waitUntil(timeout: 10) { self.storage.get(key) != nil }, "the write went on and was stored")

        storage.simulateSlowCommits(.zero)
        let onTime = try OneShotHTTP.send("POST", Self.configMaps + "?timeout=30s", body: JSONWriter.encode(InProcessAPI.configMap("on-time")),
                                          port: http.port)
        XCTAssertEqual(onTime.status, 201)
        let invalid = try OneShotHTTP.send("POST", Self.configMaps + "?timeout=soon", body: body, port: http.port)
        XCTAssertEqual(invalid.status, 400)
        XCTAssertEqual(invalid.json["message"], "invalid timeout specified in the request URL")
    }

    func testConcurrentCreatesShareCommitsAndAreDurableWhenAnswered() throws {
        storage.simulateSlowCommits(.milliseconds(30))
        let before = storage.commitCount
        let port = http.port
        let storage = self.storage!
        let lock = NSLock()
        nonisolated(unsafe) var answers: [Int: (status: Int, revision: String, committed: Bool)] = [:]
        // One thread per client: Dispatch would run only as many blocking clients as there are cores.
        let group = DispatchGroup()
        for i in 0..<50 {
          group.enter()
          Thread {
            defer { group.leave() }
            let body = JSONWriter.encode(InProcessAPI.configMap("cm-\(i)"))
            let response = try? OneShotHTTP.send("POST", Self.configMaps, body: body, port: port)
            let revision = response?.json[path: "metadata", "resourceVersion"]?.stringValue ?? ""
            // Reads see only committed writes: the object is there at its revision as soon as it is answered.
            let stored = storage.get(StorageKey(resource: "configmaps", namespace: "default", name: "cm-\(i)"))
            lock.lock()
            answers[i] = (response?.status ?? 0, revision, stored.map { String($0.revision) } == revision)
            lock.unlock()
          }.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        let commits = storage.commitCount - before
        XCTAssertEqual(answers.count, 50)
        for (i, answer) in answers.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(answer.status, 201, "cm-\(i)")
            XCTAssertTrue(answer.committed, "cm-\(i) answered before it was committed")
        }
        // Two HTTP threads alone would need at least 25 commits for 50 writes.
        XCTAssertLessThanOrEqual(commits, 10, "\(commits) commits for 50 writes")

        http.stop()
        storage.close()
        let reopened = try SQLiteStorage(directory: directory, compactionInterval: .seconds(3600))
        defer { reopened.close() }
        for (i, answer) in answers {
            let key = StorageKey(resource: "configmaps", namespace: "default", name: "cm-\(i)")
            XCTAssertEqual(reopened.get(key).map { String($0.revision) }, answer.revision, "cm-\(i) after a restart")
        }
    }

    func testEveryWriteVerbIsAnsweredThroughThePool() throws {
        let port = http.port
        let created = try OneShotHTTP.send("POST", Self.configMaps, body: JSONWriter.encode(InProcessAPI.configMap("a")), port: port)
        XCTAssertEqual(created.status, 201)
        var replacement = created.json
        replacement[path: "data", "k"] = "replaced"
        XCTAssertEqual(try OneShotHTTP.send("PUT", "\(Self.configMaps)/a", body: JSONWriter.encode(replacement), port: port).status, 200)
        let patched = try OneShotHTTP.send("PATCH", "\(Self.configMaps)/a", body: Array(#"{"data":{"k":"patched"}}"#.utf8),
                                           contentType: "application/merge-patch+json", port: port)
        XCTAssertEqual(patched.status, 200)
        XCTAssertEqual(patched.json[path: "data", "k"], "patched")
        let conflict = try OneShotHTTP.send("POST", Self.configMaps, body: JSONWriter.encode(InProcessAPI.configMap("a")), port: port)
        XCTAssertEqual(conflict.status, 409)
        XCTAssertEqual(conflict.json["reason"], "AlreadyExists")
        XCTAssertEqual(try OneShotHTTP.send("DELETE", "\(Self.configMaps)/a", port: port).status, 200)
        XCTAssertEqual(try OneShotHTTP.send("GET", "\(Self.configMaps)/a", port: port).status, 404)
    }

    /// Write threads have large stacks: a body nested 10,000 levels deep is decoded and answered.
    func testDeeplyNestedWriteIsAnswered() throws {
        let depth = 10_000
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":"# + nested + "}"
        let response = try OneShotHTTP.send("POST", Self.configMaps, body: Array(body.utf8), port: http.port)
        XCTAssertTrue([201, 400, 422].contains(response.status), "\(response.status)")
    }

    func testOnlyWritesOnDurableStorageAreDeferred() throws {
        let post = HTTPRequest(method: "POST", path: Self.configMaps, headers: [("Content-Type", "application/json")],
                               body: JSONWriter.encode(InProcessAPI.configMap("b")))
        guard case .deferred(let deferred) = api.handle(post).body else { return XCTFail("a durable write is deferred") }
        XCTAssertEqual(deferred.wait(timeout: .seconds(10))?.status, 201)
        guard case .bytes = api.handle(HTTPRequest(method: "GET", path: "\(Self.configMaps)/b")).body else {
            return XCTFail("reads are answered inline")
        }
        let memory = try InProcessAPI()
        guard case .bytes = memory.server.handle(post).body else { return XCTFail("in-memory writes are answered inline") }
    }
}

/// One request on a fresh connection (`Connection: close`), read to the end.
enum OneShotHTTP {
    struct Response {
        var status: Int
        var body: [UInt8]
        var json: JSON { (try? JSONParser.parse(body).value) ?? .null }
    }

    static func send(_ method: String, _ path: String, body: [UInt8] = [], contentType: String = "application/json",
                     port: UInt16) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw WatchClientError.io("connect: errno \(errno)") }
        let head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: \(contentType)\r\n"
            + "Content-Length: \(body.count)\r\n\r\n"
        let request = Array(head.utf8) + body
        var offset = 0
        while offset < request.count {
            let n = request[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw WatchClientError.io("send: errno \(errno)") }
            offset += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { throw WatchClientError.io("recv: errno \(errno)") }
            if n == 0 { break }
            received += chunk[0..<n]
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0...max(0, received.count - 4)).first(where: { Array(received[$0..<min($0 + 4, received.count)]) == separator }) else {
            throw WatchClientError.io("no response head")
        }
        let statusLine = String(decoding: received[0..<end], as: UTF8.self).split(separator: " ")
        return Response(status: statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0, body: Array(received[(end + 4)...]))
    }
}
