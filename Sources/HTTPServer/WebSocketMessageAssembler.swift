/// Joins fragments into messages (§5.4) and sorts out control frames, which may interleave.
public struct WebSocketMessageAssembler: Sendable {
    public enum Event: Equatable, Sendable {
        case message(binary: Bool, [UInt8])
        case ping([UInt8])
        case pong
        case close(code: UInt16?)
    }

    private var partial: [UInt8] = []
    private var partialIsBinary: Bool?
    public let maxMessage: Int

    public init(maxMessage: Int = 16 << 20) { self.maxMessage = maxMessage }

    /// The event a frame completes, or nil when it continues a fragmented message.
    public mutating func accept(_ frame: WebSocketFrame) throws(WebSocketViolation) -> Event? {
        switch frame.opcode {
        case .ping: return .ping(frame.payload)
        case .pong: return .pong
        case .close: return .close(code: frame.closeCode)
        case .text, .binary:
            guard partialIsBinary == nil else { throw .protocolError("a new message began before the previous one ended") }
            if frame.fin { return .message(binary: frame.opcode == .binary, frame.payload) }
            partialIsBinary = frame.opcode == .binary
            partial = frame.payload
            return nil
        case .continuation:
            guard let binary = partialIsBinary else { throw .protocolError("continuation frame without a message") }
            guard partial.count + frame.payload.count <= maxMessage else { throw .tooBig }
            partial += frame.payload
            guard frame.fin else { return nil }
            defer { partial = []; partialIsBinary = nil }
            return .message(binary: binary, partial)
        }
    }
}
