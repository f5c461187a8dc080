import APIMachinery
@testable import APIServer
import Foundation
import HTTPServer
import KubeliteTesting
import XCTest

/// A large JSON LIST is written item by item as the client reads it (chunked), as upstream's
/// streaming list encoder, so its memory is one chunk at a time rather than the whole response.
final class ListStreamingTests: XCTestCase {
    let path = "/api/v1/namespaces/default/configmaps"
    /// 48 objects of 32 KiB: 1.5 MiB, above the streaming threshold.
    let count = 48

    private func seed(_ create: (JSON) -> Int) {
        let value = JSON.string(String(repeating: "v", count: 32 * 1024))
        for i in 0..<count {
            XCTAssertEqual(create(InProcessAPI.configMap(String(format: "cm-%03d", i), namespace: "default", data: ["k": value])), 201)
        }
    }

    func testALargeListIsWrittenInChunksAsTheClientReads() throws {
        let live = try LiveAPIServer(maxRequestsInFlight: 1)
        defer { live.stop() }
        seed { live.call("POST", path, body: $0).status }
        let client = try WatchClient(port: live.port)
        try client.get(path)
        XCTAssertEqual(client.status, 200)
        XCTAssertEqual(client.headers["transfer-encoding"], "chunked")
        XCTAssertNil(client.headers["content-length"])
        XCTAssertEqual(client.headers["content-type"], "application/json")
        let (bytes, chunks) = try client.chunkedBody()
        XCTAssertGreaterThan(chunks, 10, "written piece by piece")
        let list = try JSONParser.parse(bytes).value
        XCTAssertEqual(list["kind"], "ConfigMapList")
        XCTAssertEqual(list["apiVersion"], "v1")
        XCTAssertEqual(list[path: "metadata", "resourceVersion"]?.stringValue, String(live.api.registry.storage.currentRevision))
        let names = list["items"]?.arrayValue?.compactMap { $0[path: "metadata", "name"]?.stringValue } ?? []
        XCTAssertEqual(names, (0..<count).map { String(format: "cm-%03d", $0) })
        // The list held its in-flight seat until written out, then freed it.
        waitUntil("seat released") { live.api.maxInFlight.counts.reads == 0 }
        try client.get(path + "?limit=1")
        XCTAssertEqual(client.status, 200)
    }

    /// Each read hands over one chunk of at most `chunkBytes` plus one item, never the whole list.
    func testEachReadIsOneChunk() throws {
        let api = try InProcessAPI()
        seed { api.call("POST", path, body: $0).status }
        guard case .stream(let stream) = api.server.handle(HTTPRequest(method: "GET", path: path)).body else {
            return XCTFail("a large list is streamed")
        }
        var reads = 0, total = 0
        while case .data(let chunk) = stream.read(max: 4096) {
            XCTAssertLessThanOrEqual(chunk.count, ListResponseStream.chunkBytes + 33 * 1024)
            reads += 1; total += chunk.count
        }
        XCTAssertGreaterThan(reads, 10)
        XCTAssertGreaterThan(total, count * 32 * 1024)
        stream.close()
    }

    func testSmallListsAndOtherFormatsStayWhole() throws {
        let api = try InProcessAPI()
        XCTAssertEqual(api.call("POST", path, body: InProcessAPI.configMap("a", namespace: "default")).status, 201)
        guard case .bytes = api.server.handle(HTTPRequest(method: "GET", path: path)).body else {
            return XCTFail("a small list is sent whole, with a Content-Length")
        }
        seed { api.call("POST", path, body: $0).status }
        let table = HTTPRequest(method: "GET", path: path, headers: [("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")])
        guard case .bytes = api.server.handle(table).body else { return XCTFail("tables are built whole") }
    }
}
