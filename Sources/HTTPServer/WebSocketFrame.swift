/// One RFC 6455 frame (§5.2). The server never masks what it sends (§5.1); the parser insists that
/// every client frame is masked and unmasks it.
public struct WebSocketFrame: Sendable, Equatable {
    public enum Opcode: UInt8, Sendable {
        case continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA
        var isControl: Bool { rawValue & 0x8 != 0 }
    }

    public var fin: Bool
    public var opcode: Opcode
    public var payload: [UInt8]

    public init(fin: Bool = true, opcode: Opcode, payload: [UInt8]) {
        self.fin = fin; self.opcode = opcode; self.payload = payload
    }

    /// The unmasked wire form a server sends.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode.rawValue]
        out.reserveCapacity(payload.count + 10)
        switch payload.count {
        case 0..<126: out.append(UInt8(payload.count))
        case 126...0xFFFF: out += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            out.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: UInt64(payload.count) >> UInt64(shift))) }
        }
        return out + payload
    }

    /// A close frame's payload: the status code (big-endian) then a UTF-8 reason (§5.5.1).
    public static func close(code: UInt16, reason: String = "") -> WebSocketFrame {
        WebSocketFrame(opcode: .close, payload: [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8.prefix(123)))
    }

    /// The status code of a close frame, if it carries one.
    public var closeCode: UInt16? {
        guard opcode == .close, payload.count >= 2 else { return nil }
        return UInt16(payload[0]) << 8 | UInt16(payload[1])
    }
}

/// Protocol violations; each closes the connection with the RFC's status code.
public enum WebSocketViolation: Error, Equatable, Sendable {
    /// 1002: an unmasked client frame, a reserved bit or opcode, a fragmented or oversized control frame.
    case protocolError(String)
    /// 1009: a frame or message larger than the limit.
    case tooBig

    public var closeCode: UInt16 {
        switch self {
        case .protocolError: return 1002
        case .tooBig: return 1009
        }
    }
}

/// Incremental parser of client frames: bytes go in as they arrive, complete frames come out.
public struct WebSocketFrameParser: Sendable {
    private var buffer: [UInt8] = []
    private var offset = 0
    /// The largest payload accepted in one frame.
    public let maxPayload: Int

    public init(maxPayload: Int = 1 << 20) { self.maxPayload = maxPayload }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        if offset > 0, offset == buffer.count { buffer.removeAll(keepingCapacity: true); offset = 0 }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil until more bytes arrive.
    public mutating func next() throws(WebSocketViolation) -> WebSocketFrame? {
        let available = buffer.count - offset
        guard available >= 2 else { return nil }
        let b0 = buffer[offset], b1 = buffer[offset + 1]
        guard b0 & 0x70 == 0 else { throw .protocolError("reserved bits set without an extension") }
        guard let opcode = WebSocketFrame.Opcode(rawValue: b0 & 0x0F) else { throw .protocolError("unknown opcode \(b0 & 0x0F)") }
        let fin = b0 & 0x80 != 0
        guard b1 & 0x80 != 0 else { throw .protocolError("client frames must be masked") }
        var header = 2
        var length = Int(b1 & 0x7F)
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(buffer[offset + 2]) << 8 | Int(buffer[offset + 3])
            header = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            var value: UInt64 = 0
            for i in 2..<10 { value = value << 8 | UInt64(buffer[offset + i]) }
            guard value <= UInt64(maxPayload) else { throw .tooBig }
            length = Int(value)
            header = 10
        }
        if opcode.isControl {
            guard fin else { throw .protocolError("fragmented control frame") }
            guard length <= 125 else { throw .protocolError("control frame longer than 125 bytes") }
        }
        guard length <= maxPayload else { throw .tooBig }
        guard available >= header + 4 + length else { return nil }
        let maskStart = offset + header
        let mask = (buffer[maskStart], buffer[maskStart + 1], buffer[maskStart + 2], buffer[maskStart + 3])
        let start = maskStart + 4
        var payload = [UInt8](repeating: 0, count: length)
        for i in 0..<length {
            let key: UInt8 = switch i & 3 { case 0: mask.0; case 1: mask.1; case 2: mask.2; default: mask.3 }
            payload[i] = buffer[start + i] ^ key
        }
        offset = start + length
        return WebSocketFrame(fin: fin, opcode: opcode, payload: payload)
    }
}

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
