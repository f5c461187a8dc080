import APIMachinery
import HTTPServer
import Registry

/// `pods/portforward`, as upstream's PortForwardREST and the kubelet's streaming server: the pod
/// must exist, be bound to a node, and be one the node can reach into; then the connection switches
/// to WebSocket, carrying either a SPDY session (kubectl) or the channel protocol (Python client).
extension ResourceHandler {
    func servePortForward(_ store: ResourceStore) throws(APIError) -> HTTPResponse {
        let namespace = info.namespace ?? ""
        let pod = PodView(try store.get(namespace: namespace, name: info.name).object)
        try PodConnectTarget.requireNode(pod, name: info.name)
        let target = try connection().portForwarder(namespace: namespace, pod: info.name)
        guard request.method == "GET", WebSocketUpgrade.isWebSocketRequest(request) else {
            // SPDY over an upgraded POST: kubectl before 1.31, kubectl 1.32 after its WebSocket
            // attempt failed (the checks above answer that Status first) or with
            // KUBECTL_PORT_FORWARD_WEBSOCKETS=false, and other client-go tools.
            return try spdyUpgrade(target)
        }
        let offered = WebSocketUpgrade.offeredSubprotocols(request)
        if offered.contains(PortForwardOptions.tunnelingProtocol) {
            return .webSocket(request, subprotocol: PortForwardOptions.tunnelingProtocol,
                              handler: PortForwardTunnelSession(target: target))
        }
        // The kubelet serves the channel protocol to a client offering it or no subprotocol at all.
        guard offered.isEmpty || offered.contains(PortForwardOptions.channelProtocol) else {
            throw APIError.badRequest("unable to negotiate a WebSocket subprotocol for pods/portforward: the client offers "
                + "[\(offered.joined(separator: " "))], the server speaks [\(PortForwardOptions.tunnelingProtocol) \(PortForwardOptions.channelProtocol)]")
        }
        let ports = try PortForwardOptions.ports(request)
        return .webSocket(request, subprotocol: offered.isEmpty ? nil : PortForwardOptions.channelProtocol,
                          handler: PortForwardChannelSession(ports: ports, target: target))
    }

    /// The kubelet's httpstream path: `httpstream.Handshake` on `X-Stream-Protocol-Version`, then
    /// spdy's UpgradeResponse (`Connection: Upgrade`, `Upgrade: SPDY/3.1`, 101), then the same SPDY
    /// session as the tunneled one, on the socket itself.
    private func spdyUpgrade(_ target: any PodPortForwarder) throws(APIError) -> HTTPResponse {
        let offered = request.headers.filter { $0.name == "x-stream-protocol-version" }
            .flatMap { $0.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        guard !offered.isEmpty else { throw APIError.badRequest("unable to upgrade: X-Stream-Protocol-Version is required") }
        guard offered.contains(PortForwardOptions.streamProtocol) else {
            throw APIError(code: 403, reason: "Forbidden", message: "unable to upgrade: unable to negotiate protocol: client supports "
                + "[\(offered.joined(separator: " "))], server accepts [\(PortForwardOptions.streamProtocol)]")
        }
        let connection = request.header("connection")?.lowercased() ?? "", upgrade = request.header("upgrade")?.lowercased() ?? ""
        guard connection.contains("upgrade"), upgrade.contains("spdy/3.1") else {
            throw APIError.badRequest("unable to upgrade: missing upgrade headers in request: Connection: \(FieldError.quote(connection)), "
                + "Upgrade: \(FieldError.quote(upgrade))")
        }
        return .rawUpgrade("SPDY/3.1", headers: [("X-Stream-Protocol-Version", PortForwardOptions.streamProtocol)],
                           handler: PortForwardTunnelSession(target: target))
    }
}
