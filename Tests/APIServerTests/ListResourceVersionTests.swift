import APIMachinery
import Foundation
import KubeliteTesting
@testable import Storage
import XCTest

/// resourceVersion and resourceVersionMatch on get and list, as upstream's "semantics for get and list".
final class ListResourceVersionTests: XCTestCase {
    let path = "/api/v1/namespaces/default/configmaps"

    func revision(_ response: InProcessAPI.Response) -> Int64 {
        Int64(response.json[path: "metadata", "resourceVersion"]?.stringValue ?? "") ?? -1
    }

    func testUnsetAndZeroServeTheNewestState() throws {
        let api = try InProcessAPI()
        try api.seedConfigMap("a", namespace: "default")
        for query in ["", "?resourceVersion=0", "?resourceVersion=0&resourceVersionMatch=NotOlderThan", "?resourceVersion=1"] {
            let list = api.call("GET", path + query)
            XCTAssertEqual(list.status, 200, "\(query): \(list.text)")
            XCTAssertEqual(revision(list), api.storage.currentRevision, query)
            XCTAssertEqual(InProcessAPI.names(list), ["a"], query)
        }
    }

    func testExactServesTheStateAtThatRevision() throws {
        let api = try InProcessAPI()
        try api.seedConfigMap("a", namespace: "default")
        let before = api.storage.currentRevision
        XCTAssertEqual(api.call("PATCH", "\(path)/a", body: ["data": ["k": "v"]], contentType: "application/merge-patch+json").status, 200)
        try api.seedConfigMap("b", namespace: "default")
        let exact = api.call("GET", "\(path)?resourceVersion=\(before)&resourceVersionMatch=Exact")
        XCTAssertEqual(exact.status, 200, exact.text)
        XCTAssertEqual(revision(exact), before)
        XCTAssertEqual(InProcessAPI.names(exact), ["a"])
        XCTAssertNil(exact.json["items"]?.arrayValue?.first?["data"])
        // Legacy: a paged list at a version without a match reads exactly there too.
        let legacy = api.call("GET", "\(path)?resourceVersion=\(before)&limit=10")
        XCTAssertEqual(revision(legacy), before)
        XCTAssertEqual(InProcessAPI.names(legacy), ["a"])
        // Not older than: the newest state.
        let notOlder = api.call("GET", "\(path)?resourceVersion=\(before)&resourceVersionMatch=NotOlderThan")
        XCTAssertEqual(revision(notOlder), api.storage.currentRevision)
        XCTAssertEqual(InProcessAPI.names(notOlder), ["a", "b"])
        let unpaged = api.call("GET", "\(path)?resourceVersion=\(before)")
        XCTAssertEqual(InProcessAPI.names(unpaged), ["a", "b"])
    }

    func testExactOlderThanTheHistoryIsGone() throws {
        let api = try InProcessAPI(storage: MemoryStorage(historyLimit: 10))
        try api.seedConfigMap("a", namespace: "default")
        let old = api.storage.currentRevision
        for i in 0..<12 { try api.seedConfigMap("b\(i)", namespace: "default") }
        let gone = api.call("GET", "\(path)?resourceVersion=\(old)&resourceVersionMatch=Exact")
        XCTAssertEqual(gone.status, 410, gone.text)
        XCTAssertEqual(gone.json["reason"], "Expired")
        XCTAssertEqual(gone.json["message"], "The resourceVersion for the provided list is too old.")
        XCTAssertEqual(gone.json["metadata"], [:])
    }

    /// A future revision is waited for, then served.
    func testFutureRevisionIsWaitedFor() throws {
        let memory = MemoryStorage()
        let api = try InProcessAPI(storage: memory)
        let target = api.storage.currentRevision + 2
        let storage = api.storage
        // The LIST waits for the revision through a storage listener of its own: the writer goes
        // once that listener is there, so the LIST has really waited.
        let listeners = memory.state.withLock { $0.listeners.count }
        let writer = Thread {
            waitUntil("the LIST waiting for revision \(target)") { memory.state.withLock { $0.listeners.count } > listeners }
            for name in ["late1", "late2"] {
                _ = try? storage.create(StorageKey(resource: "configmaps", namespace: "default", name: name),
                                        ["metadata": ["name": .string(name), "namespace": "default"]])
            }
        }
        writer.start()
        let list = api.call("GET", "\(path)?resourceVersion=\(target)&resourceVersionMatch=NotOlderThan")
        XCTAssertEqual(list.status, 200, list.text)
        XCTAssertGreaterThanOrEqual(revision(list), target)
        XCTAssertEqual(InProcessAPI.names(list), ["late1", "late2"])
        let get = api.call("GET", "\(path)/late2?resourceVersion=\(target)")
        XCTAssertEqual(get.status, 200)
    }

    /// Upstream's watch cache gives up after 3 seconds with a 504 naming both revisions.
    func testTooLargeResourceVersionTimesOut() throws {
        let api = try InProcessAPI()
        let current = api.storage.currentRevision
        let start = ContinuousClock.now
        let list = api.call("GET", "\(path)?resourceVersion=\(current + 20)&resourceVersionMatch=Exact")
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(2_900))
        XCTAssertEqual(list.status, 504, list.text)
        XCTAssertEqual(list.json, [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string("Timeout: Too large resource version: \(current + 20), current: \(current)"),
            "reason": "Timeout",
            "details": ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]], "retryAfterSeconds": 1],
            "code": 504,
        ])
        XCTAssertEqual(list.header("Retry-After"), "1")
        try api.seedConfigMap("a", namespace: "default")
        let get = api.call("GET", "\(path)/a?resourceVersion=\(current + 20)")
        XCTAssertEqual(get.status, 504)
        XCTAssertEqual(get.json["message"]?.stringValue, "Timeout: Too large resource version: \(current + 20), current: \(current + 1)")
    }

    func testGetWithAnOlderResourceVersionServesTheNewestObject() throws {
        let api = try InProcessAPI()
        let created = try api.seedConfigMap("a", namespace: "default")
        XCTAssertEqual(api.call("PATCH", "\(path)/a", body: ["data": ["k": "v"]], contentType: "application/merge-patch+json").status, 200)
        for query in ["", "?resourceVersion=0", "?resourceVersion=\(created.revision)", "?resourceVersion=\(created.revision)&resourceVersionMatch=Exact"] {
            let get = api.call("GET", "\(path)/a\(query)")
            XCTAssertEqual(get.status, 200, query)
            XCTAssertEqual(get.json[path: "data", "k"], "v", query)
        }
        XCTAssertEqual(api.call("GET", "\(path)/missing?resourceVersion=1").status, 404)
    }
}
