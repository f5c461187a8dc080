import APIMachinery
@testable import APIServer
import Foundation
import HTTPServer
import KubeliteTesting
import XCTest

/// --max-requests-inflight and --max-mutating-requests-inflight, as upstream's max-in-flight filter.
final class MaxInFlightTests: XCTestCase {
    let path = "/api/v1/namespaces/default/configmaps"

    /// Reads held in flight (waiting for a future resourceVersion) fill the limit: the next read is
    /// answered 429 with upstream's Status and Retry-After; probes and watches are still served.
    func testReadsBeyondTheLimitAreTooManyRequests() throws {
        let live = try LiveAPIServer(maxRequestsInFlight: 2)
        defer { live.stop() }
        let next = live.api.registry.storage.currentRevision + 1
        let held = try (0..<2).map { _ in try WatchClient(port: live.port) }
        for client in held { client.sendGet("\(path)?resourceVersion=\(next)") }
        waitUntil("two reads in flight") { live.api.maxInFlight.counts.reads == 2 }

        let rejected = try WatchClient(port: live.port)
        try rejected.get(path)
        XCTAssertEqual(rejected.status, 429)
        XCTAssertEqual(rejected.headers["retry-after"], "1")
        XCTAssertEqual(try rejected.fixedBody(), [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": "Too many requests, please try again later.", "reason": "TooManyRequests",
            "details": ["retryAfterSeconds": 1], "code": 429,
        ])
        for probe in ["/readyz", "/healthz", "/livez"] {
            let client = try WatchClient(port: live.port)
            try client.get(probe)
            XCTAssertEqual(client.status, 200, probe)
        }
        let watch = try WatchClient(port: live.port)
        try watch.get("\(path)?watch=true")
        XCTAssertEqual(watch.status, 200, "watches are long-running and exempt")

        XCTAssertEqual(live.call("POST", path, body: InProcessAPI.configMap("a", namespace: "default")).status, 201,
                       "writes have their own limit")
        for client in held {
            try client.readHead()
            XCTAssertEqual(client.status, 200)
        }
        waitUntil("seats released") { live.api.maxInFlight.counts.reads == 0 }
        let served = try WatchClient(port: live.port)
        try served.get(path)
        XCTAssertEqual(served.status, 200)
    }

    func testMutatingRequestsHaveTheirOwnLimit() {
        let limit = MaxInFlightLimit(maxReads: 1, maxMutating: 1)
        guard case .admitted(let write) = limit.admit(HTTPRequest(method: "POST", path: path)) else { return XCTFail("first write") }
        guard case .rejected = limit.admit(HTTPRequest(method: "DELETE", path: "\(path)/a")) else { return XCTFail("second write") }
        guard case .admitted(let read) = limit.admit(HTTPRequest(method: "GET", path: path)) else { return XCTFail("a read") }
        guard case .rejected = limit.admit(HTTPRequest(method: "GET", path: "\(path)/a")) else { return XCTFail("second read") }
        for exempt in [HTTPRequest(method: "GET", path: path, query: [("watch", "1")]),
                       HTTPRequest(method: "GET", path: "/api/v1/watch/namespaces/default/configmaps"),
                       HTTPRequest(method: "GET", path: "/api/v1/namespaces/default/pods/p/log"),
                       HTTPRequest(method: "POST", path: "/api/v1/namespaces/default/pods/p/exec"),
                       HTTPRequest(method: "GET", path: "/readyz"), HTTPRequest(method: "GET", path: "/livez/ping")] {
            guard case .exempt = limit.admit(exempt) else { return XCTFail("\(exempt.path) is exempt") }
        }
        write.release()
        write.release()  // once only
        XCTAssertEqual(limit.counts.mutating, 0)
        guard case .admitted = limit.admit(HTTPRequest(method: "PATCH", path: "\(path)/a")) else { return XCTFail("seat freed") }
        read.release()
    }

    func testZeroMeansNoLimit() {
        let limit = MaxInFlightLimit(maxReads: 0, maxMutating: 0)
        for _ in 0..<1_000 {
            guard case .exempt = limit.admit(HTTPRequest(method: "GET", path: path)) else { return XCTFail("no limit") }
        }
    }

    /// In process: the 429 for a write over the mutating limit, while a write's seat is held.
    func testAWriteOverTheMutatingLimitIsTooManyRequests() throws {
        let api = try InProcessAPI(maxMutatingRequestsInFlight: 1)
        guard case .admitted(let seat) = api.server.maxInFlight.admit(HTTPRequest(method: "PUT", path: "\(path)/a")) else {
            return XCTFail("seat")
        }
        let refused = api.call("POST", path, body: InProcessAPI.configMap("b", namespace: "default"))
        XCTAssertEqual(refused.status, 429, refused.text)
        XCTAssertEqual(refused.json["reason"], "TooManyRequests")
        XCTAssertEqual(refused.header("Retry-After"), "1")
        XCTAssertEqual(api.call("GET", path).status, 200)
        seat.release()
        XCTAssertEqual(api.call("POST", path, body: InProcessAPI.configMap("b", namespace: "default")).status, 201)
    }
}
