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
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 10)
        Self.appendHeader(fin: fin, opcode: opcode, length: payload.count, to: &out)
        out.append(contentsOf: payload)
        return out
    }

    /// Appends the unmasked header of a frame whose payload of `length` bytes follows (§5.2).
    public static func appendHeader(fin: Bool = true, opcode: Opcode, length: Int, to out: inout [UInt8]) {
        out.append((fin ? 0x80 : 0) | opcode.rawValue)
        switch length {
        case 0..<126: out.append(UInt8(length))
        case 126...0xFFFF: out += [126, UInt8(length >> 8), UInt8(length & 0xFF)]
        default:
            out.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: UInt64(length) >> UInt64(shift))) }
        }
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
