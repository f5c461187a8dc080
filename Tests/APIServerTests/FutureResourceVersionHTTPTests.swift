import APIMachinery
import Foundation
import KubeliteTesting
import XCTest

/// A GET or LIST for a resourceVersion the store has not reached waits (up to 3 s, as upstream's
/// cache) with its connection suspended: it holds no serving thread, so a flood of such requests
/// leaves /readyz and ordinary reads answering at once.
final class FutureResourceVersionHTTPTests: XCTestCase {
    let path = "/api/v1/namespaces/default/configmaps"

    func testFutureResourceVersionsHoldNoServingThread() throws {
        let live = try LiveAPIServer()  // two serving threads
        defer { live.stop() }
        XCTAssertEqual(live.call("POST", path, body: InProcessAPI.configMap("x", namespace: "default")).status, 201)
        let future = live.api.registry.storage.currentRevision + 1_000
        var waiting: [WatchClient] = []
        for i in 0..<12 {
            let client = try WatchClient(port: live.port)
            client.sendGet(i % 2 == 0 ? "\(path)/x?resourceVersion=\(future)" : "\(path)?resourceVersion=\(future)")
            waiting.append(client)
        }
        for probe in ["/readyz", "\(path)/x", path] {
            let client = try WatchClient(port: live.port)
            let start = ContinuousClock.now
            try client.get(probe, timeout: 2)
            XCTAssertEqual(client.status, 200, probe)
            XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(1_000), probe)
        }
        for client in waiting {
            try client.readHead(timeout: 10)
            XCTAssertEqual(client.status, 504)
            XCTAssertEqual(client.headers["retry-after"], "1")
            let current = live.api.registry.storage.currentRevision
            XCTAssertEqual(try client.fixedBody(), [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                "message": .string("Timeout: Too large resource version: \(future), current: \(current)"),
                "reason": "Timeout",
                "details": ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]], "retryAfterSeconds": 1],
                "code": 504,
            ])
        }
    }

    func testAWaitingReadIsAnsweredOnceTheRevisionIsReached() throws {
        let live = try LiveAPIServer()
        defer { live.stop() }
        let next = live.api.registry.storage.currentRevision + 1
        let get = try WatchClient(port: live.port), list = try WatchClient(port: live.port)
        get.sendGet("\(path)/late?resourceVersion=\(next)")
        list.sendGet("\(path)?resourceVersion=\(next)&resourceVersionMatch=NotOlderThan")
        let start = ContinuousClock.now
        XCTAssertEqual(live.call("POST", path, body: InProcessAPI.configMap("late", namespace: "default")).status, 201)
        try get.readHead(timeout: 5)
        try list.readHead(timeout: 5)
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(2_500), "answered when reached, not at the deadline")
        XCTAssertEqual(get.status, 200)
        XCTAssertEqual(try get.fixedBody()[path: "metadata", "name"], "late")
        XCTAssertEqual(list.status, 200)
        XCTAssertEqual(try list.fixedBody()[path: "items"]?.arrayValue?.count, 1)
    }
}
