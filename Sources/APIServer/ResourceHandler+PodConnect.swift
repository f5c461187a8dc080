import APIMachinery
import HTTPServer
import Registry

/// `pods/exec`, `pods/attach` (WebSocket) and `pods/log` (chunked text), as upstream's ExecREST,
/// AttachREST and LogREST: the options are checked and the pod looked up here; the node's
/// `PodConnection` does the rest.
extension ResourceHandler {
    static let podConnectSubresources: Set<String> = ["exec", "attach", "log", "portforward"]

    func servePodConnect(_ store: ResourceStore) throws(APIError) -> HTTPResponse {
        let namespace = info.namespace ?? ""
        switch (info.subresource, request.method) {
        case ("log", "GET"):
            var options = try PodConnectOptions.log(request, pod: info.name)
            let pod = PodView(try store.get(namespace: namespace, name: info.name).object)
            options.container = try PodConnectTarget.container(options.container, in: pod, name: info.name)
            // Upstream's LogLocation has nowhere to go for an unscheduled pod and streams nothing.
            guard pod.isScheduled else { return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")]) }
            let log = try connection().logs(namespace: namespace, pod: info.name, options: options)
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], stream: PodLogResponseStream(log))
        case ("exec", "GET"), ("attach", "GET"):
            let attach = info.subresource == "attach"
            var requested = try PodConnectOptions.exec(request, requireCommand: !attach)
            requested.container = try target(store, namespace: namespace, container: requested.container)
            let options = requested
            guard WebSocketUpgrade.isWebSocketRequest(request) else { throw Self.upgradeRequired(info.subresource) }
            let offered = WebSocketUpgrade.offeredSubprotocols(request)
            guard let channels = RemoteCommandProtocol.negotiate(offered) else {
                throw APIError.badRequest("unable to negotiate a WebSocket subprotocol for pods/\(info.subresource): the client offers "
                    + "[\(offered.joined(separator: " "))], the server speaks [\(RemoteCommandProtocol.names.joined(separator: " "))]")
            }
            try connection().checkStreamable(namespace: namespace, pod: info.name, options: options, attach: attach)
            let registry = server.registry, pod = info.name, subresource = info.subresource
            let session = RemoteCommandSession(channels: channels, command: options.command) { () throws(APIError) in
                let connection = try Self.connection(registry, pod: pod, subresource: subresource)
                return attach ? try connection.attach(namespace: namespace, pod: pod, options: options)
                              : try connection.exec(namespace: namespace, pod: pod, options: options)
            }
            return .webSocket(request, subprotocol: channels.rawValue, handler: session)
        case ("portforward", "GET"), ("portforward", "POST"):
            return try servePortForward(store)
        case ("exec", "POST"), ("attach", "POST"):
            // SPDY. kubectl only falls back to it when the WebSocket upgrade was refused, so the
            // checks that refuse it run first and this answer carries the same Status.
            var options = try PodConnectOptions.exec(request, requireCommand: info.subresource == "exec")
            options.container = try target(store, namespace: namespace, container: options.container)
            try connection().checkStreamable(namespace: namespace, pod: info.name, options: options,
                                             attach: info.subresource == "attach")
            throw APIError.badRequest("pods/\(info.subresource) over SPDY (POST) is not supported by this server: "
                + "use a WebSocket upgrade of GET with subprotocol \(RemoteCommandProtocol.v5.rawValue) or \(RemoteCommandProtocol.v4.rawValue) "
                + "(kubectl 1.30 and later do this unless KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false)")
        default:
            throw APIError.methodNotAllowed
        }
    }

    /// The pod must exist and be bound to a node; the container is resolved as upstream does.
    private func target(_ store: ResourceStore, namespace: String, container: String?) throws(APIError) -> String {
        let pod = PodView(try store.get(namespace: namespace, name: info.name).object)
        let resolved = try PodConnectTarget.container(container, in: pod, name: info.name)
        try PodConnectTarget.requireNode(pod, name: info.name)
        return resolved
    }

    func connection() throws(APIError) -> any PodConnection {
        try Self.connection(server.registry, pod: info.name, subresource: info.subresource)
    }

    static func connection(_ registry: Registry, pod: String, subresource: String) throws(APIError) -> any PodConnection {
        guard let connection = registry.podConnection else {
            throw APIError.serviceUnavailable("no node runtime is connected to this API server, so pods/\(subresource) "
                + "cannot reach pod \"\(pod)\"")
        }
        return connection
    }

    static func upgradeRequired(_ subresource: String) -> APIError {
        APIError.badRequest("pods/\(subresource) needs a WebSocket upgrade (Upgrade: websocket, Sec-WebSocket-Protocol: "
            + "\(RemoteCommandProtocol.names.joined(separator: ", ")))")
    }
}
