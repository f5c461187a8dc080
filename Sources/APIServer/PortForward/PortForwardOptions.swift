import APIMachinery
import HTTPServer

/// What a `pods/portforward` request asks for, checked as the kubelet checks it.
enum PortForwardOptions {
    /// The WebSocket subprotocol of kubectl 1.30+ (client-go's tunneling dialer): the SPDY stream
    /// protocol `portforward.k8s.io` behind the `SPDY/3.1+` tunneling prefix.
    static let tunnelingProtocol = "SPDY/3.1+portforward.k8s.io"
    /// The SPDY stream protocol (`X-Stream-Protocol-Version` of an upgraded POST).
    static let streamProtocol = "portforward.k8s.io"
    /// The channel protocol the official Python client offers (the kubelet's v4 binary protocol).
    static let channelProtocol = "v4.channel.k8s.io"

    /// `?ports=6379&ports=80` or `?ports=6379,80` (upstream converts repeated and comma-separated
    /// values alike), for the channel protocol, with the kubelet's NewV4Options messages.
    static func ports(_ request: HTTPRequest) throws(APIError) -> [UInt16] {
        let values = request.query.filter { $0.name == "ports" }.map(\.value)
        guard !values.isEmpty else { throw APIError.badRequest("query parameter \"ports\" is required") }
        var ports: [UInt16] = []
        for value in values {
            guard !value.isEmpty else { throw APIError.badRequest("query parameter \"ports\" cannot be empty") }
            for part in value.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard let number = GoInt.parseUInt64(part), number <= UInt64(UInt16.max) else {
                    throw APIError.badRequest("unable to parse \(FieldError.quote(value)) as a port: \(GoInt.syntaxError("ParseUint", part))")
                }
                guard number >= 1 else { throw APIError.badRequest("port \(FieldError.quote(value)) must be > 0") }
                ports.append(UInt16(number))
            }
        }
        return ports
    }
}
