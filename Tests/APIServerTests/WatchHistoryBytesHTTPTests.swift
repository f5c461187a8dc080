import APIMachinery
import APIServer
import Foundation
import KubeliteTesting
import Storage
import XCTest

/// A watch resuming from a revision the history dropped for its size (not its count) is told so as
/// upstream tells a compacted one: a 410 Expired ERROR event (issue 12, item 4).
final class WatchHistoryBytesHTTPTests: XCTestCase {
    static let configMaps = "/api/v1/namespaces/default/configmaps"

    func testAWatchFromARevisionDroppedForBytesGetsExpired() throws {
        let storage = MemoryStorage(historyLimit: 100_000, historyBytes: 400_000)
        let server = try LiveAPIServer(storage: storage)
        defer { server.stop() }
        let start = try XCTUnwrap(server.call("GET", Self.configMaps).json[path: "metadata", "resourceVersion"]?.stringValue)
        let blob = String(repeating: "x", count: 100_000)
        XCTAssertEqual(server.call("POST", Self.configMaps, body: InProcessAPI.configMap("big", data: ["blob": .string(blob)])).status, 201)
        for step in 1...10 {
            let patch: JSON = ["data": ["step": .string(String(step))]]
            let answer = server.call("PATCH", "\(Self.configMaps)/big", body: patch, contentType: "application/merge-patch+json")
            XCTAssertEqual(answer.status, 200, "\(answer.json)")
        }
        XCTAssertLessThan(storage.historyWindow.events, 11, "eleven 100 KB events do not fit in 400 KB")
        let oldest = storage.historyWindow.compactedRevision

        let client = try WatchClient(port: server.port)
        try client.get("\(Self.configMaps)?watch=1&resourceVersion=\(start)")
        XCTAssertEqual(client.status, 200)
        let error = try XCTUnwrap(try client.remainingEvents(timeout: 5).first)
        XCTAssertEqual(error.watchType, "ERROR")
        XCTAssertEqual(error[path: "object", "code"], 410)
        XCTAssertEqual(error[path: "object", "reason"], "Expired")
        XCTAssertEqual(error[path: "object", "message"], .string("too old resource version: \(start) (\(oldest))"))
    }
}
