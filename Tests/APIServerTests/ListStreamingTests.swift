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

    func testSmallListsStayWhole() throws {
        let api = try InProcessAPI()
        XCTAssertEqual(api.call("POST", path, body: InProcessAPI.configMap("a", namespace: "default")).status, 201)
        for accept in ["application/json", "application/yaml", "application/json;as=Table;v=v1;g=meta.k8s.io"] {
            let request = HTTPRequest(method: "GET", path: path, headers: [("Accept", accept)])
            guard case .bytes = api.server.handle(request).body else { return XCTFail("a small list is sent whole: \(accept)") }
        }
    }

    /// The whole body a streamed list writes, read chunk by chunk.
    private func streamedBody(_ api: InProcessAPI, accept: String, query: String = "", minimumReads: Int = 10) throws -> (String?, [UInt8]) {
        let request = HTTPRequest(method: "GET", path: path, query: query.isEmpty ? [] : [("includeObject", query)],
                                  headers: [("Accept", accept)])
        let response = api.server.handle(request)
        guard case .stream(let stream) = response.body else {
            XCTFail("a large list is streamed: \(accept)")
            return (nil, [])
        }
        var bytes: [UInt8] = [], reads = 0
        while case .data(let chunk) = stream.read(max: 4096) {
            bytes += chunk; reads += 1
        }
        XCTAssertGreaterThanOrEqual(reads, minimumReads, accept)
        return (response.headers.first { $0.name == "Content-Type" }?.value, bytes)
    }

    /// YAML, Table and metadata-only lists stream too, and what they write is byte for byte the
    /// whole document (YAML as go-yaml writes it, Table rows with upstream's cells).
    func testYAMLTableAndMetadataListsStreamTheSameDocument() throws {
        let api = try InProcessAPI()
        seed { api.call("POST", path, body: $0).status }
        let whole = try JSONParser.parse(api.call("GET", path).body).value

        let (yamlType, yaml) = try streamedBody(api, accept: "application/yaml")
        XCTAssertEqual(yamlType, "application/yaml")
        XCTAssertEqual(String(decoding: yaml, as: UTF8.self), YAMLCodec.encode(whole))

        let tableType = "application/json;as=Table;v=v1;g=meta.k8s.io"
        let (contentType, tableBytes) = try streamedBody(api, accept: tableType, query: "Object")
        XCTAssertEqual(contentType, tableType)
        let table = try JSONParser.parse(tableBytes).value
        XCTAssertEqual(table["kind"], "Table")
        XCTAssertEqual(table[path: "metadata", "resourceVersion"], whole[path: "metadata", "resourceVersion"])
        XCTAssertEqual(table["columnDefinitions"]?.arrayValue?.first?[path: "name"], "Name")
        let rows = try XCTUnwrap(table["rows"]?.arrayValue)
        XCTAssertEqual(rows.count, count)
        XCTAssertEqual(rows.first?[path: "cells"]?.arrayValue?.first, "cm-000")
        XCTAssertEqual(rows.compactMap { $0["object"] }, whole["items"]?.arrayValue ?? [])

        // Metadata is small: the stored objects are large, the output fits one chunk.
        let (_, partialBytes) = try streamedBody(api, accept: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
                                                 minimumReads: 1)
        let partial = try JSONParser.parse(partialBytes).value
        XCTAssertEqual(partial["kind"], "PartialObjectMetadataList")
        XCTAssertEqual(partial["items"]?.arrayValue?.map { $0[path: "metadata", "name"] },
                       whole["items"]?.arrayValue?.map { $0[path: "metadata", "name"] })
    }
}
