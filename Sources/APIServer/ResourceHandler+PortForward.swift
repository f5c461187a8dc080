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
            // SPDY over a POST upgrade: kubectl 1.32 sends it only after its WebSocket attempt
            // failed (the checks above answer that Status first) or with
            // KUBECTL_PORT_FORWARD_WEBSOCKETS=false.
            throw APIError.badRequest("pods/portforward over SPDY (POST with Upgrade: SPDY/3.1) is not supported by this server: "
                + "use a WebSocket upgrade of GET with subprotocol \(PortForwardOptions.tunnelingProtocol) (kubectl 1.31 and later do "
                + "this unless KUBECTL_PORT_FORWARD_WEBSOCKETS=false) or \(PortForwardOptions.channelProtocol) with ?ports=")
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
}
