import APIMachinery
import Foundation
import HTTPServer
import Registry

/// `metrics.k8s.io/v1beta1` as metrics-server serves it (pkg/api/pod.go, node.go): PodMetrics and
/// NodeMetrics for the pods and nodes that exist, get and list (label and field selectors over
/// metadata), JSON, YAML or Table. Objects come from the Registry's stores, usage from the node's
/// `ResourceMetricsSource`; a pod or node without two scrapes yet is left out of lists and is
/// NotFound by name. Nothing is stored: each answer is built when asked.
struct ResourceMetricsHandler {
    let registry: Registry
    let source: any ResourceMetricsSource
    let request: HTTPRequest
    let info: RequestInfo
    let now: Date

    func serve() throws(APIError) -> HTTPResponse {
        let resource: APIResource
        switch info.resource {
        case "pods": resource = MetricsResources.pods
        case "nodes": resource = MetricsResources.nodes
        default: throw APIError.pathNotFound
        }
        guard info.subresource.isEmpty, info.extraParts.isEmpty else { throw APIError.pathNotFound }
        if resource.namespaced, !info.name.isEmpty, info.namespace == nil { throw APIError.pathNotFound }
        if !resource.namespaced, info.namespace != nil { throw APIError.pathNotFound }
        switch info.verb {
        case "get", "list": break
        case "watch":
            // No watch route is installed for a storage that is no rest.Watcher; `?watch=true` on the
            // list route is the list handler's MethodNotSupported.
            if request.path.contains("/watch/") { throw APIError.pathNotFound }
            throw APIError.methodNotSupported(resource.groupResource, "watch")
        default: throw APIError.methodNotAllowed
        }
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: true)
        let items: [JSON]
        if info.verb == "get" {
            items = [try get(resource)]
        } else {
            items = try list(resource)
        }
        if case .table = format { return Responses.encode(Self.table(items, resource: resource), bytes: nil, format: .json) }
        let answer: JSON = info.verb == "get" ? items[0] : [
            "kind": .string("\(resource.kind)List"), "apiVersion": .string(resource.apiVersion),
            "metadata": .object([:]), "items": .array(items),
        ]
        return Responses.encode(answer, bytes: nil, format: format)
    }

    /// The pod (node) must exist, as the lister reports it (`pods "x" not found`, `node "x" not
    /// found`); one without metrics is `podmetrics.metrics.k8s.io "ns/x" not found`.
    private func get(_ resource: APIResource) throws(APIError) -> JSON {
        if resource == MetricsResources.pods {
            let namespace = info.namespace ?? ""
            guard let pods = registry.store(group: "", plural: "pods"),
                  let pod = try? pods.get(namespace: namespace, name: info.name).object else {
                throw APIError.notFound(GroupResource(group: "", resource: "pods"), info.name)
            }
            guard let item = podMetrics(pod) else {
                throw APIError.notFound(GroupResource(group: MetricsResources.group, resource: "podmetrics"), "\(namespace)/\(info.name)")
            }
            return item
        }
        guard let nodes = registry.store(group: "", plural: "nodes"), let node = try? nodes.get(namespace: nil, name: info.name).object else {
            throw APIError.notFound(GroupResource(group: "", resource: "node"), info.name)
        }
        guard let item = nodeMetrics(node) else {
            throw APIError.notFound(GroupResource(group: MetricsResources.group, resource: "nodemetrics"), info.name)
        }
        return item
    }

    /// Objects matching the selectors, sorted by namespace and name; those without metrics left out.
    private func list(_ resource: APIResource) throws(APIError) -> [JSON] {
        let labels = try request.queryValue("labelSelector").flatMap { text throws(APIError) -> LabelSelectorQuery? in
            text.isEmpty ? nil : try LabelSelectorQuery(parsing: text)
        }
        let fields = try request.queryValue("fieldSelector").flatMap { text throws(APIError) -> FieldSelectorQuery? in
            text.isEmpty ? nil : try FieldSelectorQuery(parsing: text)
        }
        try fields?.checkSupported(resource.namespaced ? ["metadata.name", "metadata.namespace"] : ["metadata.name"])
        let isPods = resource == MetricsResources.pods
        guard let store = registry.store(group: "", plural: isPods ? "pods" : "nodes") else { return [] }
        let objects = store.list(namespace: isPods ? info.namespace : nil).items.map(\.object).filter { object in
            var set = ["metadata.name": object.meta.name]
            if isPods { set["metadata.namespace"] = object.meta.namespace }
            return (labels?.matches(object.meta.labels) ?? true) && (fields?.matches(set) ?? true)
        }
        return objects.sorted { ($0.meta.namespace, $0.meta.name) < ($1.meta.namespace, $1.meta.name) }
            .compactMap { isPods ? podMetrics($0) : nodeMetrics($0) }
    }

    private func podMetrics(_ pod: JSON) -> JSON? {
        guard let usage = source.podUsage(namespace: pod.meta.namespace, name: pod.meta.name) else { return nil }
        var metadata: JSONObject = ["name": .string(pod.meta.name), "namespace": .string(pod.meta.namespace),
                                    "creationTimestamp": .string(Timestamp.format(now))]
        if let labels = pod["metadata"]?["labels"], labels != .null { metadata["labels"] = labels }
        return [
            "kind": "PodMetrics", "apiVersion": .string(MetricsResources.pods.apiVersion), "metadata": .object(metadata),
            "timestamp": .string(Timestamp.format(usage.timestamp)), "window": .string(GoDuration.string(usage.window)),
            "containers": .array(usage.containers.map { ["name": .string($0.name), "usage": Self.usage($0.usage)] }),
        ]
    }

    private func nodeMetrics(_ node: JSON) -> JSON? {
        guard let usage = source.nodeUsage(name: node.meta.name) else { return nil }
        var metadata: JSONObject = ["name": .string(node.meta.name), "creationTimestamp": .string(Timestamp.format(now))]
        if let labels = node["metadata"]?["labels"], labels != .null { metadata["labels"] = labels }
        return [
            "kind": "NodeMetrics", "apiVersion": .string(MetricsResources.nodes.apiVersion), "metadata": .object(metadata),
            "timestamp": .string(Timestamp.format(usage.timestamp)), "window": .string(GoDuration.string(usage.window)),
            "usage": Self.usage(usage.usage),
        ]
    }

    /// CPU in nanocores as a DecimalSI quantity of scale -9, memory in bytes as BinarySI
    /// (metrics-server's uint64Quantity), both in their canonical form (`12345n`, `1500m`, `4Ki`).
    static func usage(_ usage: ResourceUsage) -> JSON {
        ["cpu": .string(cpuQuantity(usage.cpuNanocores)), "memory": .string(memoryQuantity(usage.memoryBytes))]
    }

    static func cpuQuantity(_ nanocores: UInt64) -> String {
        (try? Quantity(parsing: "\(min(nanocores, UInt64(Int64.max)))n"))?.canonical ?? "\(nanocores)n"
    }

    static func memoryQuantity(_ bytes: UInt64) -> String {
        Quantity(Int64(min(bytes, UInt64(Int64.max))), format: .binarySI).canonical
    }

    /// metrics-server's ConvertToTable: Name, then each resource summed over the containers (sorted
    /// by name: cpu, memory), then Window; each row carries the object's metadata.
    static func table(_ items: [JSON], resource: APIResource) -> JSON {
        let columns: [JSON] = [
            ["name": "Name", "type": "string", "format": "name", "description": "Name of the resource", "priority": 0],
            ["name": "cpu", "type": "string", "format": "quantity", "description": "", "priority": 0],
            ["name": "memory", "type": "string", "format": "quantity", "description": "", "priority": 0],
            ["name": "Window", "type": "string", "format": "duration", "description": "", "priority": 0],
        ]
        let rows: [JSON] = items.map { item in
            var cpu: UInt64 = 0, memory: UInt64 = 0
            let usages = resource == MetricsResources.pods ? (item["containers"]?.arrayValue ?? []).compactMap { $0["usage"] } : [item["usage"] ?? [:]]
            for u in usages {
                cpu += (try? Quantity(json: u["cpu"] ?? "0")).map { UInt64(max(0, $0.scaledValue(-9))) } ?? 0
                memory += (try? Quantity(json: u["memory"] ?? "0")).map { UInt64(max(0, $0.int64Value)) } ?? 0
            }
            let object: JSON = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": item["metadata"] ?? [:]]
            return ["cells": [.string(item.meta.name), .string(cpuQuantity(cpu)), .string(memoryQuantity(memory)), item["window"] ?? ""],
                    "object": object]
        }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object([:]), "columnDefinitions": .array(columns), "rows": .array(rows)]
    }
}
