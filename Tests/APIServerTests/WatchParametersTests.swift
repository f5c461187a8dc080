import APIMachinery
import APIServer
import Foundation
import KubeliteTesting
import Storage
import XCTest

/// Watch query parameters through a real socket: upstream's decoding errors and validation, the
/// initial-events bookmark, periodic bookmarks and Table events.
final class WatchParametersTests: XCTestCase {
    var server: LiveAPIServer!

    override func setUpWithError() throws {
        var watch = WatchHub.Configuration()
        watch.bookmarkInterval = .milliseconds(200)
        server = try LiveAPIServer(watch: watch)
    }

    override func tearDown() { server.stop() }

    static let configMaps = "/api/v1/namespaces/default/configmaps"

    func status(_ query: String, file: StaticString = #filePath, line: UInt = #line) throws -> (Int, JSON) {
        let client = try WatchClient(port: server.port)
        try client.get("\(Self.configMaps)?\(query)")
        XCTAssertNil(client.headers["transfer-encoding"], "\(query) was answered with a stream", file: file, line: line)
        return (client.status, try client.fixedBody())
    }

    func testMalformedParametersAnswerAStatus() throws {
        let listOptions = #"ListOptions.meta.k8s.io "" is invalid: "#
        let cases: [(query: String, code: Int, reason: String?, message: String)] = [
            // The client's error, as a list answers it (kubernetes#139525; 1.32's cacher answers a bare 500).
            ("watch=1&resourceVersion=abc", 400, "BadRequest",
             #"invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax"#),
            ("watch=1&resourceVersion=-3", 400, "BadRequest",
             #"invalid resource version: resourceVersion: Invalid value: "-3": strconv.ParseUint: parsing "-3": invalid syntax"#),
            ("watch=1&resourceVersion=99999999999999999999", 400, "BadRequest",
             #"invalid resource version: resourceVersion: Invalid value: "99999999999999999999": strconv.ParseUint: parsing "99999999999999999999": value out of range"#),
            ("watch=1&timeoutSeconds=abc", 400, "BadRequest", #"strconv.ParseInt: parsing "abc": invalid syntax"#),
            ("watch=1&timeoutSeconds=1.5", 400, "BadRequest", #"strconv.ParseInt: parsing "1.5": invalid syntax"#),
            ("watch=1&resourceVersionMatch=NotOlderThan", 422, "Invalid",
             listOptions + "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"),
            ("watch=1&sendInitialEvents=true&allowWatchBookmarks=true", 422, "Invalid",
             listOptions + "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"),
            ("watch=1&sendInitialEvents=true&resourceVersionMatch=Exact", 422, "Invalid",
             listOptions + #"[resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]"#),
        ]
        for c in cases {
            let (code, body) = try status(c.query)
            XCTAssertEqual(code, c.code, c.query)
            XCTAssertEqual(body["kind"], "Status", c.query)
            XCTAssertEqual(body["code"], .int(Int64(c.code)), c.query)
            XCTAssertEqual(body["reason"], c.reason.map { .string($0) }, c.query)
            XCTAssertEqual(body["message"], .string(c.message), c.query)
        }
    }

    func testBooleanParametersNeverFailAndOnlyFalseOrZeroIsFalse() throws {
        // Upstream converts boolean query parameters without ParseBool: "yes" and "" are true.
        let client = try WatchClient(port: server.port)
        try client.get("\(Self.configMaps)?watch=yes&sendInitialEvents=&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=on&timeoutSeconds=1")
        XCTAssertEqual(client.status, 200)
        let events = try client.remainingEvents(timeout: 5)
        XCTAssertEqual(events.first?.watchType, "BOOKMARK", "\(events)")
        XCTAssertEqual(events.first?[path: "object", "metadata", "annotations", "k8s.io/initial-events-end"], "true")

        let off = try WatchClient(port: server.port)
        try off.get("\(Self.configMaps)?watch=1&allowWatchBookmarks=FALSE&timeoutSeconds=1")
        XCTAssertEqual(try off.remainingEvents(timeout: 5), [], "allowWatchBookmarks=FALSE still got bookmarks")
    }

    func testSendInitialEventsGivesTheObjectsThenAnAnnotatedBookmark() throws {
        for name in ["b", "a"] { server.call("POST", Self.configMaps, body: InProcessAPI.configMap(name)) }
        let revision = server.call("GET", Self.configMaps).json[path: "metadata", "resourceVersion"]?.stringValue
        let client = try WatchClient(port: server.port)
        try client.get("\(Self.configMaps)?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true")
        let first = try XCTUnwrap(client.nextEvent()), second = try XCTUnwrap(client.nextEvent())
        XCTAssertEqual([first.watchType, first.watchName, second.watchType, second.watchName], ["ADDED", "a", "ADDED", "b"])
        let bookmark = try XCTUnwrap(client.nextEvent())
        XCTAssertEqual(bookmark.watchType, "BOOKMARK")
        XCTAssertEqual(bookmark[path: "object", "kind"], "ConfigMap")
        XCTAssertEqual(bookmark[path: "object", "apiVersion"], "v1")
        XCTAssertEqual(bookmark.watchRevision, revision)
        XCTAssertEqual(bookmark[path: "object", "metadata", "annotations"], ["k8s.io/initial-events-end": "true"])
    }

    func testSendInitialEventsWithoutBookmarksAndSendInitialEventsFalse() throws {
        server.call("POST", Self.configMaps, body: InProcessAPI.configMap("old"))
        let noBookmark = try WatchClient(port: server.port)
        try noBookmark.get("\(Self.configMaps)?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1")
        XCTAssertEqual(try noBookmark.remainingEvents(timeout: 5).map { $0.watchType ?? "" }, ["ADDED"])

        // sendInitialEvents=false without a resourceVersion starts at the newest revision: no initial events.
        let fromNow = try WatchClient(port: server.port)
        try fromNow.get("\(Self.configMaps)?watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan")
        XCTAssertEqual(fromNow.status, 200)
        waitUntil("the watch registered") { server.api.registry.watcherCount == 1 }
        server.call("POST", Self.configMaps, body: InProcessAPI.configMap("new"))
        let event = try XCTUnwrap(fromNow.nextEvent())
        XCTAssertEqual([event.watchType, event.watchName], ["ADDED", "new"])
    }

    func testPeriodicBookmarksCarryTheNewestRevision() throws {
        let client = try WatchClient(port: server.port)
        try client.get("\(Self.configMaps)?watch=1&resourceVersion=\(server.call("GET", Self.configMaps).json[path: "metadata", "resourceVersion"]?.stringValue ?? "")&allowWatchBookmarks=true")
        let created = server.call("POST", "/api/v1/namespaces/kube-system/configmaps", body: InProcessAPI.configMap("elsewhere"))
        let bookmark = try XCTUnwrap(client.nextEvent())
        XCTAssertEqual(bookmark.watchType, "BOOKMARK")
        XCTAssertEqual(bookmark.watchRevision, created.json[path: "metadata", "resourceVersion"]?.stringValue)
        XCTAssertNil(bookmark[path: "object", "metadata", "annotations"])
        XCTAssertEqual(try XCTUnwrap(client.nextEvent()).watchType, "BOOKMARK")
    }

    func testTableWatchSendsRowsAndColumnsOnlyOnce() throws {
        let client = try WatchClient(port: server.port)
        try client.get("\(Self.configMaps)?watch=1&resourceVersion=\(server.call("GET", Self.configMaps).json[path: "metadata", "resourceVersion"]?.stringValue ?? "")",
                       accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
        XCTAssertEqual(client.status, 200)
        XCTAssertEqual(client.headers["content-type"], "application/json;as=Table;v=v1;g=meta.k8s.io")
        server.call("POST", Self.configMaps, body: InProcessAPI.configMap("t1", data: ["a": "1", "b": "2"]))
        server.call("DELETE", "\(Self.configMaps)/t1")

        let added = try XCTUnwrap(client.nextEvent())
        XCTAssertEqual(added.watchType, "ADDED")
        XCTAssertEqual(added[path: "object", "kind"], "Table")
        XCTAssertEqual(added[path: "object", "apiVersion"], "meta.k8s.io/v1")
        let columns = added[path: "object", "columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        XCTAssertEqual(columns, ["Name", "Data", "Age"])
        let row = try XCTUnwrap(added[path: "object", "rows"]?.arrayValue?.first)
        XCTAssertEqual(row["cells"]?.arrayValue?.prefix(2).map { $0 }, ["t1", 2])
        XCTAssertEqual(row[path: "object", "kind"], "PartialObjectMetadata")
        XCTAssertEqual(row[path: "object", "metadata", "name"], "t1")

        let deleted = try XCTUnwrap(client.nextEvent())
        XCTAssertEqual(deleted.watchType, "DELETED")
        XCTAssertEqual(deleted[path: "object", "columnDefinitions"], .null)
        XCTAssertEqual(deleted[path: "object", "rows"]?.arrayValue?.first?["cells"]?.arrayValue?.first, "t1")
    }
}
