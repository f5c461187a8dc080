import APIMachinery
import APIServer
import Foundation
import Registry
import Storage
import XCTest

final class ListPaginationTests: XCTestCase {
    /// Pages through 10,000 objects while writers create, update and delete: the pages together are
    /// the snapshot of the first page, every object exactly once, nothing created later.
    func testPaginationAcrossTenThousandObjectsUnderConcurrentWrites() throws {
        let api = try InProcessAPI()
        XCTAssertEqual(api.call("POST", "/api/v1/namespaces", body: ["metadata": ["name": "paging"]]).status, 201)
        var expected: [String] = []
        for i in 0..<10_000 {
            let name = String(format: "cm-%05d", i)
            try api.seedConfigMap(name, namespace: "paging")
            expected.append(name)
        }
        let first = api.call("GET", "/api/v1/namespaces/paging/configmaps?limit=500")
        XCTAssertEqual(first.status, 200, first.text)
        let snapshot = first.json[path: "metadata", "resourceVersion"]?.stringValue ?? ""
        XCTAssertEqual(first.json[path: "metadata", "remainingItemCount"], 9_500)

        final class Stop: @unchecked Sendable { var value = false; let lock = NSLock()
            var isSet: Bool { lock.withLock { value } }
            func set() { lock.withLock { value = true } }
        }
        let stop = Stop()
        let storage = api.storage
        let writers = DispatchGroup()
        for w in 0..<2 {
            DispatchQueue.global().async(group: writers) {
                var i = 0
                while !stop.isSet, i < 3_000 {
                    let target = StorageKey(resource: "configmaps", namespace: "paging", name: String(format: "cm-%05d", (i * 37 + w * 5_000) % 10_000))
                    switch i % 3 {
                    case 0: _ = try? storage.delete(target, expectedRevision: nil)
                    case 1: _ = try? storage.update(target, expectedRevision: nil, ["metadata": ["name": .string(target.name), "namespace": "paging"], "data": ["w": "x"]])
                    default:
                        let name = (i % 2 == 0 ? "aa-new-" : "cm-0") + "\(w)-\(i)"
                        _ = try? storage.create(StorageKey(resource: "configmaps", namespace: "paging", name: name),
                                                ["metadata": ["name": .string(name), "namespace": "paging"]])
                    }
                    i += 1
                }
            }
        }
        var seen = InProcessAPI.names(first)
        var token = first.json[path: "metadata", "continue"]?.stringValue
        var pages = 1
        while let next = token {
            let page = api.call("GET", "/api/v1/namespaces/paging/configmaps?limit=500&continue=\(next)")
            XCTAssertEqual(page.status, 200, page.text)
            XCTAssertEqual(page.json[path: "metadata", "resourceVersion"]?.stringValue, snapshot)
            for item in page.json["items"]?.arrayValue ?? [] {
                XCTAssertNil(item["data"], "a page shows objects as they were at the snapshot")
                XCTAssertLessThanOrEqual(Int64(item[path: "metadata", "resourceVersion"]?.stringValue ?? "") ?? .max, Int64(snapshot)!)
            }
            seen += InProcessAPI.names(page)
            token = page.json[path: "metadata", "continue"]?.stringValue
            if token != nil { XCTAssertEqual(page.json[path: "metadata", "remainingItemCount"]?.intValue, Int64(10_000 - seen.count)) }
            pages += 1
            if pages > 40 { XCTFail("too many pages"); break }
        }
        stop.set()
        writers.wait()
        XCTAssertEqual(pages, 20)
        XCTAssertEqual(seen.count, 10_000)
        XCTAssertEqual(seen, expected, "every object of the snapshot exactly once, in order, none created later")
        XCTAssertGreaterThan(api.storage.currentRevision, Int64(snapshot)!, "writers ran during the pages")
    }

    func testContinueAcrossNamespacesAndClusterScopedResources() throws {
        let api = try InProcessAPI()
        for ns in ["a", "b"] { XCTAssertEqual(api.call("POST", "/api/v1/namespaces", body: ["metadata": ["name": .string(ns)]]).status, 201) }
        for (ns, name) in [("a", "x"), ("a", "y"), ("b", "x"), ("b", "z")] { try api.seedConfigMap(name, namespace: ns) }
        var seen: [String] = []
        var path = "/api/v1/configmaps?limit=1&labelSelector="
        while true {
            let page = api.call("GET", path)
            XCTAssertEqual(page.status, 200, page.text)
            seen += page.json["items"]?.arrayValue?.compactMap { item in
                "\(item[path: "metadata", "namespace"]?.stringValue ?? "")/\(item[path: "metadata", "name"]?.stringValue ?? "")"
            } ?? []
            guard let next = page.json[path: "metadata", "continue"]?.stringValue else { break }
            path = "/api/v1/configmaps?limit=1&continue=\(next)"
        }
        XCTAssertEqual(seen.filter { $0.hasPrefix("a/") || $0.hasPrefix("b/") }, ["a/x", "a/y", "b/x", "b/z"])

        let namespaces = api.call("GET", "/api/v1/namespaces?limit=2")
        XCTAssertEqual(InProcessAPI.names(namespaces), ["a", "b"])
        let token = namespaces.json[path: "metadata", "continue"]?.stringValue ?? ""
        XCTAssertEqual(String(decoding: Data(base64Encoded: token + String(repeating: "=", count: (4 - token.count % 4) % 4)) ?? Data(), as: UTF8.self),
                       #"{"v":"meta.k8s.io/v1","rv":\#(namespaces.json[path: "metadata", "resourceVersion"]?.stringValue ?? ""),"start":"b\u0000"}"#)
        let rest = api.call("GET", "/api/v1/namespaces?limit=2&continue=\(token)")
        XCTAssertEqual(InProcessAPI.names(rest).first, "default")
    }

    func testExpiredContinueTokenIsGoneWithAFreshToken() throws {
        let api = try InProcessAPI(storage: MemoryStorage(historyLimit: 20))
        for i in 0..<6 { try api.seedConfigMap("cm\(i)", namespace: "default") }
        let first = api.call("GET", "/api/v1/namespaces/default/configmaps?limit=2")
        let token = first.json[path: "metadata", "continue"]?.stringValue ?? ""
        for i in 0..<25 { try api.seedConfigMap("later\(i)", namespace: "kube-system") }
        let gone = api.call("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=\(token)")
        XCTAssertEqual(gone.status, 410, gone.text)
        XCTAssertEqual(gone.json["reason"], "Expired")
        XCTAssertEqual(gone.json["code"], 410)
        XCTAssertEqual(gone.json["message"]?.stringValue, "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
        let fresh = gone.json[path: "metadata", "continue"]?.stringValue ?? ""
        let decoded = try ContinueToken.decode(fresh)
        XCTAssertEqual(decoded, ContinueToken(revision: -1, start: "cm1\u{0}"))
        // The fresh token continues at the newest state.
        let rest = api.call("GET", "/api/v1/namespaces/default/configmaps?limit=10&continue=\(fresh)")
        XCTAssertEqual(rest.status, 200, rest.text)
        XCTAssertEqual(InProcessAPI.names(rest), ["cm2", "cm3", "cm4", "cm5"])
        XCTAssertEqual(rest.json[path: "metadata", "resourceVersion"]?.stringValue, String(api.storage.currentRevision))
    }

    func testTableAndMetadataListsCarryTheContinuation() throws {
        let api = try InProcessAPI()
        for i in 0..<3 { try api.seedConfigMap("cm\(i)", namespace: "default") }
        let table = api.call("GET", "/api/v1/namespaces/default/configmaps?limit=2", accept: "application/json;as=Table;v=v1;g=meta.k8s.io")
        XCTAssertEqual(table.json["kind"], "Table")
        XCTAssertEqual(table.json["rows"]?.arrayValue?.count, 2)
        XCTAssertNotNil(table.json[path: "metadata", "continue"]?.stringValue)
        XCTAssertEqual(table.json[path: "metadata", "remainingItemCount"], 1)
        let partial = api.call("GET", "/api/v1/namespaces/default/configmaps?limit=1",
                               accept: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io")
        XCTAssertEqual(partial.json[path: "metadata", "remainingItemCount"], 2)
        let all = api.call("GET", "/api/v1/namespaces/default/configmaps?limit=0")
        XCTAssertEqual(all.json[path: "metadata"], ["resourceVersion": .string(String(api.storage.currentRevision))])
        let negative = api.call("GET", "/api/v1/namespaces/default/configmaps?limit=-5")
        XCTAssertEqual(negative.status, 200)
        XCTAssertEqual(InProcessAPI.names(negative).count, 3)
    }
}

extension InProcessAPI {
    /// A harness over a given storage (a small history, to make snapshots expire).
    init(storage: MemoryStorage) throws {
        let registry = Registry(storage: storage, strategies: StrategyCatalog.all, schemas: SchemaSet.upstream, clock: FixedClock())
        try registry.bootstrap()
        server = APIServer(registry: registry)
        server.markReady()
    }

    var storage: any Storage { server.registry.storage }

    /// Stores a ConfigMap straight into storage (fast setup for large lists).
    @discardableResult
    func seedConfigMap(_ name: String, namespace: String, labels: [String: String] = [:]) throws -> StoredObject {
        var metadata: JSONObject = ["name": .string(name), "namespace": .string(namespace)]
        if !labels.isEmpty { metadata["labels"] = .object(JSONObject(uniqueKeysWithValues: labels.sorted { $0.key < $1.key }.map { ($0.key, JSON.string($0.value)) })) }
        let object: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": .object(metadata)]
        return try storage.create(StorageKey(resource: "configmaps", namespace: namespace, name: name), object)
    }

    /// Names of the items of a list response.
    static func names(_ response: Response) -> [String] {
        response.json["items"]?.arrayValue?.compactMap { $0[path: "metadata", "name"]?.stringValue } ?? []
    }
}
