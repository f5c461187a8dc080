import APIMachinery
import Foundation
import HTTPServer
import Registry

/// `pods/proxy` and `services/proxy` (`.../pods/web:80/proxy/path`, `.../services/https:web:api/proxy/`),
/// as upstream's ProxyREST: the target is resolved here (errors are Statuses), then the request is
/// relayed over HTTP from its own thread and the answer streamed back; a failure to reach the
/// target is upstream's 503 "error trying to reach service: ...". A redirect's `Location` on the
/// target's host is rewritten under the proxy path, as upstream's proxy transport does; links in
/// HTML pages are passed through as they are (upstream rewrites those too).
extension ResourceHandler {
    func serveProxy(_ store: ResourceStore) throws(APIError) -> HTTPResponse {
        let namespace = info.namespace ?? ""
        let registry = server.registry
        let target: ProxyTarget
        if store.resource.plural == "pods" {
            target = try ProxyTarget.pod(info.name, pods: store, namespace: namespace)
            // A simulated pod has an address nothing answers on: say so rather than time out.
            if let (_, name, _) = ProxyTarget.splitSchemeNamePort(info.name) {
                _ = try connection().portForwarder(namespace: namespace, pod: name)
            }
        } else {
            guard let endpoints = registry.store(group: "", plural: "endpoints"),
                  let pods = registry.store(group: "", plural: "pods") else { throw APIError.pathNotFound }
            target = try ProxyTarget.service(info.name, services: store, endpoints: endpoints, pods: pods, namespace: namespace)
        }
        guard target.scheme != "https" else {
            throw Self.unreachable("Kubelite's proxy speaks HTTP only: https to \(target.hostPort) is not supported")
        }
        guard let port = target.portNumber() else { throw Self.unreachable("dial tcp: lookup tcp/\(target.port): unknown port") }
        let request = self.request, served = self.served, server = self.server
        // Upstream's hack for issue 4958: a GET of the bare proxy path is redirected to its slash.
        if proxiedPath().isEmpty, request.method == "GET" || request.method == "HEAD" {
            let query = request.query.isEmpty ? "" : "?" + Self.encodedQuery(request.query)
            return HTTPResponse(status: 301, headers: [("Location", Self.escapedPath(request.path) + "/" + query)])
        }
        let pathAndQuery = proxiedPathAndQuery()
        let prefix = Self.escapedPath(String(request.path.dropLast(proxiedPath().count)))
        let deferred = DeferredResponse()
        let upgrade = Self.isUpgrade(request)
        let thread = Thread {
            let response: HTTPResponse
            do {
                let exchange = try UpstreamHTTPExchange.send(request, to: target, port: port, pathAndQuery: pathAndQuery,
                                                            forwardedURI: Self.escapedPath(request.path), upgrade: upgrade)
                response = upgrade ? Self.upgradeResponse(exchange, request: request)
                                   : Self.response(exchange, prefix: prefix, target: target, requestHost: request.header("host") ?? "")
            } catch let failure as UpstreamHTTPExchange.Failure {
                response = Responses.status(Self.unreachable(failure.message), request: request)
            } catch {
                response = Responses.status(Self.unreachable("\(error)"), request: request)
            }
            deferred.complete(server.finish(response, served))
        }
        thread.name = "kubelite.proxy"
        thread.stackSize = 256 << 10
        thread.start()
        return .deferred(deferred)
    }

    /// httpstream.IsUpgradeRequest: `Connection` names `upgrade` and `Upgrade` says to what.
    static func isUpgrade(_ request: HTTPRequest) -> Bool {
        guard let upgrade = request.header("upgrade"), !upgrade.isEmpty, let connection = request.header("connection") else { return false }
        return connection.lowercased().split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "upgrade" }
    }

    /// upstream's tryUpgrade: the target's 101 switches the client's connection too and bytes are
    /// copied both ways; a refusal (4xx, 5xx) is passed on as it is; anything else is an error.
    private static func upgradeResponse(_ exchange: UpstreamHTTPExchange, request: HTTPRequest) -> HTTPResponse {
        if exchange.status >= 400 {
            return response(exchange, prefix: "", target: ProxyTarget(scheme: "", host: "", port: ""), requestHost: "")
        }
        guard exchange.status == 101 else {
            close(exchange.socket)
            return Responses.status(APIError(code: 500, reason: "", message: "invalid upgrade response: status code \(exchange.status)"),
                                    request: request)
        }
        let protocols = exchange.headers.first { $0.name.lowercased() == "upgrade" }?.value ?? request.header("upgrade") ?? ""
        let headers = exchange.headers.filter { !["connection", "upgrade", "content-length"].contains($0.name.lowercased()) }
        return .rawUpgrade(protocols, headers: headers, handler: ProxyUpgradeRelay(exchange))
    }

    /// upstream's proxy transport error (its RoundTrip failing): 503 ServiceUnavailable.
    static func unreachable(_ detail: String) -> APIError {
        APIError.serviceUnavailable("error trying to reach service: \(detail)")
    }

    /// Small bodies of known length are read whole (the client gets a Content-Length); others are
    /// streamed as they arrive.
    private static func response(_ exchange: UpstreamHTTPExchange, prefix: String, target: ProxyTarget, requestHost: String) -> HTTPResponse {
        var exchange = exchange
        if let i = exchange.headers.firstIndex(where: { $0.name.lowercased() == "location" }) {
            exchange.headers[i].value = ProxyRedirect.rewrite(exchange.headers[i].value, prefix: prefix,
                                                              targetHost: target.hostPort, requestHost: requestHost)
        }
        if case .length(let length) = exchange.framing, length <= 1 << 20 {
            var body = Array(exchange.leftover.prefix(length))
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while body.count < length {
                let n = recv(exchange.socket, &buffer, min(buffer.count, length - body.count), 0)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { break }
                body += buffer[0..<n]
            }
            close(exchange.socket)
            return HTTPResponse(status: exchange.status, headers: exchange.clientHeaders, body: body)
        }
        if exchange.framing == .none {
            close(exchange.socket)
            return HTTPResponse(status: exchange.status, headers: exchange.clientHeaders)
        }
        return HTTPResponse(status: exchange.status, headers: exchange.clientHeaders, stream: ProxyResponseStream(exchange))
    }

    /// The path after `/proxy` (a trailing slash kept, as upstream's JoinPreservingTrailingSlash),
    /// escaped again, with the query.
    private func proxiedPathAndQuery() -> String {
        let rest = proxiedPath()
        var path = Self.escapedPath(rest.isEmpty ? "/" : rest)
        if !path.hasPrefix("/") { path = "/" + path }
        guard !request.query.isEmpty else { return path }
        return path + "?" + Self.encodedQuery(request.query)
    }

    /// What follows `/proxy` in the request's path ("" for the bare proxy path).
    private func proxiedPath() -> String {
        let marker = "/" + info.name + "/proxy"
        guard let range = request.path.range(of: marker) else { return "" }
        return String(request.path[range.upperBound...])
    }

    static func encodedQuery(_ query: [(name: String, value: String)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+")
        return query.map { ($0.name.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.name) + "="
            + ($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value) }.joined(separator: "&")
    }

    static func escapedPath(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
    }
}
