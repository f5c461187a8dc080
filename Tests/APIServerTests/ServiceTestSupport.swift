import APIMachinery
import APIServer
import Foundation
import HTTPServer
import Registry
import Storage

/// Services through the API handler, on a cluster with a chosen service CIDR and node-port range.
struct ServiceAPI {
    let api: InProcessAPI
    let registry: Registry

    init(serviceCIDR: String = Registry.defaultServiceCIDR, nodePorts: ClosedRange<Int> = NodePortAllocator.defaultRange,
         storage: MemoryStorage = MemoryStorage()) throws {
        registry = Registry(storage: storage, strategies: StrategyCatalog.all, schemas: SchemaSet.upstream,
                            serviceCIDR: serviceCIDR, nodePortRange: nodePorts)
        try registry.bootstrap()
        api = InProcessAPI(registry: registry)
    }

    static func service(_ name: String, type: String? = nil, clusterIP: String? = nil, ports: JSON = [["port": 80]],
                        extra: JSONObject = [:]) -> JSON {
        var spec: JSONObject = ["selector": ["app": "x"], "ports": ports]
        if let type { spec["type"] = .string(type) }
        if let clusterIP { spec["clusterIP"] = .string(clusterIP) }
        for (k, v) in extra { spec[k] = v }
        return ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)], "spec": .object(spec)]
    }

    @discardableResult
    func create(_ body: JSON) -> InProcessAPI.Response {
        api.call("POST", "/api/v1/namespaces/default/services", body: body)
    }

    func get(_ name: String) -> JSON { api.call("GET", "/api/v1/namespaces/default/services/\(name)").json }

    @discardableResult
    func put(_ body: JSON) -> InProcessAPI.Response {
        api.call("PUT", "/api/v1/namespaces/default/services/\(body[path: "metadata", "name"]?.stringValue ?? "")", body: body)
    }

    @discardableResult
    func patch(_ name: String, _ patch: JSON) -> InProcessAPI.Response {
        api.call("PATCH", "/api/v1/namespaces/default/services/\(name)", body: patch, contentType: "application/merge-patch+json")
    }

    @discardableResult
    func delete(_ name: String) -> InProcessAPI.Response {
        api.call("DELETE", "/api/v1/namespaces/default/services/\(name)")
    }

    func nodePorts(_ service: JSON) -> [Int] {
        (service[path: "spec", "ports"]?.arrayValue ?? []).compactMap { $0["nodePort"]?.intValue.map(Int.init) }
    }
}

extension InProcessAPI {
    /// An API handler over an existing registry.
    init(registry: Registry) {
        server = APIServer(registry: registry)
        server.markReady()
    }
}
