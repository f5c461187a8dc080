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

    init(maxMutatingRequestsInFlight: Int = 200, testingClock: (any TestingClock)? = nil) throws {
        let registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream, clock: clock)
        try registry.bootstrap()
        server = APIServer(registry: registry, maxMutatingRequestsInFlight: maxMutatingRequestsInFlight, testingClock: testingClock)
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
        let response = server.handle(HTTPRequest(method: method, path: String(parts[0]), query: query, headers: headers, body: bytes)).received()
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

extension HTTPResponse {
    /// The answer as a client gets it: a deferred one once completed, a finite stream (a large list)
    /// read to its end into `.bytes`. A watch stream is left as it is.
    func received(timeout: Duration = .seconds(10)) -> HTTPResponse {
        switch body {
        case .bytes, .upgrade:
            return self
        case .deferred(let deferred):
            return deferred.wait(timeout: timeout)?.received(timeout: timeout) ?? HTTPResponse(status: 0)
        case .stream(let stream):
            var bytes: [UInt8] = []
            while case .data(let chunk) = stream.read(max: 1 << 16) { bytes += chunk }
            var copy = self
            copy.body = .bytes(bytes)
            return copy
        }
    }
}
