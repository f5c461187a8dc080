import Foundation

/// The answer "switch this connection to WebSocket": a 101 with the handshake headers, after which
/// the server hands the socket to `handler` through a `WebSocketConnection`.
public struct WebSocketUpgrade: Sendable {
    public let subprotocol: String?
    public let handler: any WebSocketHandler
    /// The connection carries the upgraded protocol's bytes as they are, not WebSocket frames
    /// (`Upgrade: SPDY/3.1`): each read is one `received` call and `send(binary:)` writes bytes.
    public var raw = false

    /// RFC 6455 §1.3's GUID, appended to the client's key before hashing.
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`.
    public static func acceptValue(forKey key: String) -> String {
        Data(SHA1.hash(Array((key.trimmingCharacters(in: .whitespaces) + guid).utf8))).base64EncodedString()
    }

    /// Whether `request` asks for a WebSocket (RFC 6455 §4.2.1): a GET with `Upgrade: websocket`,
    /// `Connection: Upgrade`, version 13 and a key.
    public static func isWebSocketRequest(_ request: HTTPRequest) -> Bool {
        guard request.method == "GET",
              let upgrade = request.header("upgrade"), upgrade.lowercased().contains("websocket"),
              let connection = request.header("connection"),
              connection.lowercased().split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "upgrade" }),
              request.header("sec-websocket-key") != nil else { return false }
        return request.header("sec-websocket-version") == "13"
    }

    /// The subprotocols the client offers, in its order of preference.
    public static func offeredSubprotocols(_ request: HTTPRequest) -> [String] {
        request.headers.filter { $0.name.lowercased() == "sec-websocket-protocol" }
            .flatMap { $0.value.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}

extension HTTPResponse {
    /// Switches the connection to WebSocket. The caller checked `WebSocketUpgrade.isWebSocketRequest`.
    public static func webSocket(_ request: HTTPRequest, subprotocol: String?, handler: any WebSocketHandler) -> HTTPResponse {
        var headers: [(name: String, value: String)] = [
            ("Upgrade", "websocket"),
            ("Sec-WebSocket-Accept", WebSocketUpgrade.acceptValue(forKey: request.header("sec-websocket-key") ?? "")),
        ]
        if let subprotocol { headers.append(("Sec-WebSocket-Protocol", subprotocol)) }
        var response = HTTPResponse(status: 101, headers: headers)
        response.body = .upgrade(WebSocketUpgrade(subprotocol: subprotocol, handler: handler))
        return response
    }

    /// Switches the connection to another protocol than WebSocket (`Upgrade: SPDY/3.1` for
    /// Kubernetes' SPDY streams): the handler gets the raw bytes through the same calls.
    public static func rawUpgrade(_ protocolName: String, headers: [(name: String, value: String)] = [],
                                  handler: any WebSocketHandler) -> HTTPResponse {
        var response = HTTPResponse(status: 101, headers: [("Upgrade", protocolName)] + headers)
        var upgrade = WebSocketUpgrade(subprotocol: nil, handler: handler)
        upgrade.raw = true
        response.body = .upgrade(upgrade)
        return response
    }
}
