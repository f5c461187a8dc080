/// One SPDY/3 frame (draft 3, section 2.2), as Kubernetes' streams speak it (moby/spdystream, which
/// implements SPDY/3 framing under the name "SPDY/3.1" and no flow control). Header blocks stay
/// compressed here: only the session, which owns the zlib streams, can decode them in order.
public enum SPDYFrame: Hashable, Sendable {
    case synStream(streamID: UInt32, associatedTo: UInt32, priority: UInt8, flags: UInt8, headerBlock: [UInt8])
    case synReply(streamID: UInt32, flags: UInt8, headerBlock: [UInt8])
    case rstStream(streamID: UInt32, status: UInt32)
    case settings(flags: UInt8, payload: [UInt8])
    case ping(id: UInt32)
    case goAway(lastGoodStreamID: UInt32, status: UInt32)
    case headers(streamID: UInt32, flags: UInt8, headerBlock: [UInt8])
    case windowUpdate(streamID: UInt32, delta: UInt32)
    case data(streamID: UInt32, flags: UInt8, payload: [UInt8])

    public static let version: UInt16 = 3
    /// FLAG_FIN on control and data frames: the sender's half of the stream ends.
    public static let flagFin: UInt8 = 0x01
    public static let flagUnidirectional: UInt8 = 0x02
    /// The largest DATA payload the 24-bit length allows.
    public static let maxDataLength = (1 << 24) - 1

    /// RST_STREAM status codes (section 2.6.3).
    public enum ResetStatus: UInt32, Sendable {
        case protocolError = 1, invalidStream, refusedStream, unsupportedVersion, cancel, internalError,
             flowControlError, streamInUse, streamAlreadyClosed
    }

    enum ControlType: UInt16 {
        case synStream = 1, synReply = 2, rstStream = 3, settings = 4, ping = 6, goAway = 7, headers = 8, windowUpdate = 9
    }

    /// The wire form. SYN_STREAM, SYN_REPLY and HEADERS carry `headerBlock` as given (already
    /// compressed by the session).
    public func encoded() -> [UInt8] {
        switch self {
        case .data(let id, let flags, let payload):
            return Self.dataHeader(streamID: id, flags: flags, length: payload.count) + payload
        case .synStream(let id, let associated, let priority, let flags, let block):
            return Self.control(.synStream, flags: flags,
                                Self.word(id) + Self.word(associated) + [priority << 5, 0] + block)
        case .synReply(let id, let flags, let block):
            return Self.control(.synReply, flags: flags, Self.word(id) + block)
        case .rstStream(let id, let status):
            return Self.control(.rstStream, flags: 0, Self.word(id) + Self.word(status))
        case .settings(let flags, let payload):
            return Self.control(.settings, flags: flags, payload)
        case .ping(let id):
            return Self.control(.ping, flags: 0, Self.word(id))
        case .goAway(let last, let status):
            return Self.control(.goAway, flags: 0, Self.word(last) + Self.word(status))
        case .headers(let id, let flags, let block):
            return Self.control(.headers, flags: flags, Self.word(id) + block)
        case .windowUpdate(let id, let delta):
            return Self.control(.windowUpdate, flags: 0, Self.word(id) + Self.word(delta))
        }
    }

    /// A DATA frame's 8-byte header; the payload follows it on the wire. The session writes the
    /// two apart so a payload is copied once, into the transport's buffer.
    public static func dataHeader(streamID: UInt32, flags: UInt8, length: Int) -> [UInt8] {
        let id = streamID & 0x7FFF_FFFF
        return [UInt8(id >> 24), UInt8(truncatingIfNeeded: id >> 16), UInt8(truncatingIfNeeded: id >> 8), UInt8(truncatingIfNeeded: id),
                flags, UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
    }

    private static func control(_ type: ControlType, flags: UInt8, _ body: [UInt8]) -> [UInt8] {
        word(0x8000_0000 | UInt32(version) << 16 | UInt32(type.rawValue)) + word(UInt32(flags) << 24 | UInt32(body.count)) + body
    }

    static func word(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}

/// Protocol violations that end a session (a GOAWAY with PROTOCOL_ERROR, then the connection).
public struct SPDYViolation: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
