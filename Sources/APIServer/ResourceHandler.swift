import APIMachinery
import Foundation
import HTTPServer
import Registry
import Storage

/// Serves one request on a resource path: finds the resource's store, checks the verb is served
/// at that path, and dispatches to the verb.
struct ResourceHandler {
    let server: APIServer
    let served: ServedRequest
    let info: RequestInfo

    var request: HTTPRequest { served.request }

    func serve() throws(APIError) -> HTTPResponse {
        guard let store = server.registry.store(group: info.group, version: info.version, plural: info.resource) else {
            throw APIError.pathNotFound
        }
        let resource = store.resource
        if let custom = store.strategy as? CustomResourceStrategy { try custom.checkConversion() }
        // Only a proxy path goes on past its subresource (`.../pods/web/proxy/some/page`).
        guard info.extraParts.isEmpty || info.subresource == "proxy" else { throw APIError.pathNotFound }
        // A namespaced resource by name needs its namespace; a cluster-scoped one may not have one
        // (namespaces themselves are addressed as /namespaces/<name>).
        if resource.namespaced, !info.name.isEmpty, info.namespace == nil { throw APIError.pathNotFound }
        if !resource.namespaced, info.namespace != nil, resource.plural != "namespaces" { throw APIError.pathNotFound }
        if !info.subresource.isEmpty {
            guard resource.subresources.contains(info.subresource) else { throw APIError.pathNotFound }
            if Self.podConnectSubresources.contains(info.subresource) { return try servePodConnect(store) }
            if info.subresource == "proxy" { return try serveProxy(store) }
            return try serveSubresource(store)
        }
        let namespace = resource.namespaced ? info.namespace : nil
        guard resource.verbs.contains(info.verb) else { throw APIError.methodNotAllowed }
        if let review = ReviewStore(resource: resource) { return try serveReview(review, namespace: namespace) }
        // Collection paths take create, list and deletecollection; item paths the rest, as upstream routes them.
        let itemVerbs: Set<String> = ["get", "update", "patch", "delete"]
        if itemVerbs.contains(info.verb) == info.name.isEmpty, info.verb != "watch" { throw APIError.methodNotAllowed }
        if info.verb == "create", !info.name.isEmpty { throw APIError.methodNotAllowed }
        switch info.verb {
        case "get": return try get(store, namespace: namespace)
        case "list": return try list(store, namespace: namespace)
        case "watch": return try watch(store, namespace: namespace)
        case "create":
            if resource.namespaced, namespace == nil { throw APIError.methodNotAllowed }
            return try create(store, namespace: namespace)
        case "update": return try update(store, namespace: namespace)
        case "patch": return try patch(store, namespace: namespace)
        case "delete": return try delete(store, namespace: namespace)
        case "deletecollection": return try deleteCollection(store, namespace: namespace)
        default: throw APIError.methodNotAllowed
        }
    }

    /// Each subresource is served by its own store (status, scale, binding, finalize), as upstream
    /// routes them to StatusREST, ScaleREST, BindingREST and FinalizeREST.
    private func serveSubresource(_ store: ResourceStore) throws(APIError) -> HTTPResponse {
        let namespace = store.resource.namespaced ? info.namespace : nil
        let registry = server.registry
        let resource = store.resource.groupResource
        switch (info.subresource, info.verb) {
        case ("status", "get"): return try get(store, namespace: namespace)
        case ("status", "update"):
            guard let status = registry.status(of: store) else { throw APIError.pathNotFound }
            return try write(store) { (body, options) throws(APIError) in
                try status.update(namespace: namespace, name: info.name, body: body, options: options)
            }
        case ("status", "patch"):
            guard let status = registry.status(of: store) else { throw APIError.pathNotFound }
            return try patchWrite(store) { (body, type, options) throws(APIError) in
                try status.patch(namespace: namespace, name: info.name, type: type, patch: body, options: options)
            }
        case ("scale", "get"):
            guard let scale = registry.scale(resource) else { throw APIError.pathNotFound }
            return try Responses.object(scale.get(namespace: namespace, name: info.name), request: request)
        case ("scale", "update"):
            guard let scale = registry.scale(resource) else { throw APIError.pathNotFound }
            let body = try BodyReader.read(request, patch: false).body
            let result = try scale.update(namespace: namespace, name: info.name, body: body.value, options: QueryOptions.write(served))
            return try Responses.object(result, request: request)
        case ("scale", "patch"):
            guard let scale = registry.scale(resource) else { throw APIError.pathNotFound }
            let (body, type) = try BodyReader.read(request, patch: true)
            let result = try scale.patch(namespace: namespace, name: info.name, type: type!, patch: body, options: QueryOptions.write(served))
            return try Responses.object(result, request: request)
        case ("binding", "create"):
            guard let binding = BindingStore(pods: store) else { throw APIError.pathNotFound }
            let body = try BodyReader.read(request, patch: false).body
            let status = try binding.create(namespace: namespace, name: info.name, binding: body.value, options: QueryOptions.write(served))
            return Responses.encode(status, bytes: nil, format: try ResponseFormat.negotiate(request.header("accept"), allowTable: false), status: 201)
        case ("token", "create"):
            return try serveTokenRequest(store, namespace: namespace)
        case ("eviction", "create"):
            return try serveEviction(store, namespace: namespace)
        case ("finalize", "update"):
            guard let finalize = NamespaceFinalizeStore(namespaces: store) else { throw APIError.pathNotFound }
            return try write(store) { (body, options) throws(APIError) in
                try finalize.update(name: info.name, body: body, options: options)
            }
        default:
            throw APIError.methodNotAllowed
        }
    }

    // MARK: reads

    private func get(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: true)
        func read() throws(APIError) -> HTTPResponse {
            let stored = try store.get(namespace: namespace, name: info.name)
            return try ObjectWriter(store: store, request: request).single(stored, format: format)
        }
        // A get's resourceVersion asks for a state at least that fresh, as from upstream's cache.
        if let revision = try ListOptions.getReadPoint(request).requiredRevision, !store.isFresh(revision) {
            return deferUntilFresh(store, revision, serve: read)
        }
        // resourceVersion "": a consistent read (upstream reads etcd; here the cache once it is current).
        if (request.queryValue("resourceVersion") ?? "").isEmpty {
            return try serveConsistently(store, serve: read)
        }
        return try read()
    }

    // MARK: writes

    private func create(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: true)
        let options = try QueryOptions.write(served)
        let body = try BodyReader.read(request, patch: false).body
        let result = try store.create(namespace: namespace, body: body, options: options)
        return try ObjectWriter(store: store, request: request).single(result.object, bytes: result.bytes, format: format,
                                                                       status: 201, warnings: result.warnings)
    }

    private func update(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        try write(store) { (body, options) throws(APIError) in
            try store.update(namespace: namespace, name: info.name, body: body, options: options)
        }
    }

    private func patch(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        try patchWrite(store) { (body, type, options) throws(APIError) in
            try store.patch(namespace: namespace, name: info.name, type: type, patch: body, options: options)
        }
    }

    /// A PUT (of the resource or a subresource): negotiate, read the body, write, answer the object.
    private func write(_ store: ResourceStore,
                       _ perform: (RequestBody, WriteOptions) throws(APIError) -> WriteResult) throws(APIError) -> HTTPResponse {
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: true)
        let options = try QueryOptions.write(served)
        let body = try BodyReader.read(request, patch: false).body
        let result = try perform(body, options)
        return try ObjectWriter(store: store, request: request).single(result.object, bytes: result.bytes, format: format,
                                                                       warnings: result.warnings)
    }

    /// A PATCH (of the resource or a subresource), as `write`.
    private func patchWrite(_ store: ResourceStore,
                            _ perform: (RequestBody, PatchType, WriteOptions) throws(APIError) -> WriteResult) throws(APIError) -> HTTPResponse {
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: true)
        var options = try QueryOptions.write(served)
        let (body, type) = try BodyReader.read(request, patch: true)
        try QueryOptions.patch(request, type: type!, options: &options)
        let result = try perform(body, type!, options)
        return try ObjectWriter(store: store, request: request).single(result.object, bytes: result.bytes, format: format,
                                                                       status: result.created ? 201 : 200, warnings: result.warnings)
    }

    private func delete(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: false)
        let body = request.body.isEmpty ? nil : try BodyReader.read(request, patch: false).body.value
        var options = try QueryOptions.delete(request, body: body)
        let warnings = Self.defaultPropagation(&options, store)
        switch try store.delete(namespace: namespace, name: info.name, options: options) {
        case .marked(let object):
            return Responses.encode(object, bytes: nil, format: format, warnings: warnings)
        case .deleted(let object):
            if store.strategy.returnsDeletedObject {
                return Responses.encode(object, bytes: nil, format: format, warnings: warnings)
            }
            var details: JSONObject = ["name": .string(info.name)]
            if !store.resource.group.isEmpty { details["group"] = .string(store.resource.group) }
            details["kind"] = .string(store.resource.plural)
            details["uid"] = object[path: "metadata", "uid"]
            return Responses.encode(Responses.success(details: .object(details)), bytes: nil, format: format, warnings: warnings)
        }
    }

    /// A DELETE naming no propagation policy gets the kind's default (batch/v1 Jobs orphan their
    /// pods), with its warning.
    static func defaultPropagation(_ options: inout DeleteOptions, _ store: ResourceStore) -> [String] {
        guard options.propagationPolicy == nil, let fallback = store.strategy.defaultDeletePropagation else { return [] }
        options.propagationPolicy = fallback.policy
        return fallback.warning.map { [$0] } ?? []
    }

    private func deleteCollection(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: false)
        let body = request.body.isEmpty ? nil : try BodyReader.read(request, patch: false).body.value
        var options = try QueryOptions.delete(request, body: body)
        let warnings = Self.defaultPropagation(&options, store)
        let filter = try ListFilter(request: request, resource: store.resource, strategy: store.strategy)
        let (items, revision) = store.list(namespace: namespace)
        let selected = items.filter { filter.matches($0.object) }
        let deleted = try store.deleteCollection(selected, options: options)
        let list: JSON = [
            "kind": .string(store.resource.listKind), "apiVersion": .string(store.resource.apiVersion),
            "metadata": ["resourceVersion": .string(String(revision))], "items": .array(deleted),
        ]
        return Responses.encode(list, bytes: nil, format: format, warnings: warnings)
    }
}
