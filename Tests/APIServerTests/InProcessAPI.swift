import APIMachinery
import APIServer
import Foundation
import HTTPServer
import Registry
import Storage

/// A clock tests set by hand.
final class FixedClock: Clock, @unchecked Sendable {
    var current = Date(timeIntervalSince1970: 1_700_000_000)
    func now() -> Date { current }
}

/// Calls the API server's handler directly, without sockets: the in-process level of the test pyramid.
struct InProcessAPI {
    let server: APIServer
    let clock = FixedClock()

    init() throws {
        let registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream, clock: clock)
        try registry.bootstrap()
        server = APIServer(registry: registry)
        server.markReady()
    }

    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var json: JSON { (try? JSONParser.parse(body).value) ?? .null }
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        var headerValues: [(String, String)] { headers.map { ($0.name, $0.value) } }
    }

    @discardableResult
    func call(_ method: String, _ target: String, body: JSON? = nil, raw: [UInt8]? = nil,
              contentType: String = "application/json", accept: String? = nil) -> Response {
        let parts = target.split(separator: "?", maxSplits: 1)
        var query: [(name: String, value: String)] = []
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                query.append((String(kv[0]).removingPercentEncoding ?? "", kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? "") : ""))
            }
        }
        var headers: [(name: String, value: String)] = [("Content-Type", contentType)]
        if let accept { headers.append(("Accept", accept)) }
        let bytes = raw ?? body.map { JSONWriter.encode($0) } ?? []
        let response = server.handle(HTTPRequest(method: method, path: String(parts[0]), query: query, headers: headers, body: bytes))
        return Response(status: response.status, headers: response.headers, body: response.bodyBytes)
    }

    static func configMap(_ name: String, namespace: String? = nil, data: JSON = ["k": "v"]) -> JSON {
        var metadata: JSONObject = ["name": .string(name)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": .object(metadata), "data": data]
    }

    static let statefulSet: JSON = [
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": ["name": "redis-sts"],
        "spec": [
            "serviceName": "redis-svc", "replicas": 2,
            "selector": ["matchLabels": ["app": "redis-sts"]],
            "template": [
                "metadata": ["labels": ["app": "redis-sts"]],
                "spec": ["containers": [["name": "redis", "image": "redis:7.2", "ports": [["containerPort": 6379, "name": "redis"]]]]],
            ],
        ],
    ]
}
