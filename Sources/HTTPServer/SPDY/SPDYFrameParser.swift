/// Cuts SPDY/3 frames out of a byte stream. The stream arrives in arbitrary pieces: kubectl's
/// tunneling connection sends every `Write` of Go's framer as its own WebSocket message, so one
/// frame may span several messages (its 8-byte header alone is written in two).
public struct SPDYFrameParser: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    /// Frames whose declared length is over this are refused: a peer cannot make the server buffer
    /// 16 MiB before it sees a byte of payload.
    public var maxFrameLength: Int

    public init(maxFrameLength: Int = 1 << 20) { self.maxFrameLength = maxFrameLength }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil until more bytes arrive.
    public mutating func next() throws(SPDYViolation) -> SPDYFrame? {
        guard buffer.count - start >= 8 else { return nil }
        let first = word(at: start), second = word(at: start + 4)
        let flags = UInt8(second >> 24), length = Int(second & 0xFF_FFFF)
        guard length <= maxFrameLength else { throw SPDYViolation("frame of \(length) bytes is larger than \(maxFrameLength)") }
        guard buffer.count - start >= 8 + length else { return nil }
        let body = Array(buffer[(start + 8)..<(start + 8 + length)])
        start += 8 + length
        if start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        guard first & 0x8000_0000 != 0 else {
            let streamID = first & 0x7FFF_FFFF
            guard streamID != 0 else { throw SPDYViolation("stream id zero is disallowed") }
            return .data(streamID: streamID, flags: flags, payload: body)
        }
        let version = UInt16(first >> 16 & 0x7FFF)
        guard version == SPDYFrame.version else { throw SPDYViolation("unsupported SPDY version \(version)") }
        return try Self.control(type: UInt16(first & 0xFFFF), flags: flags, body: body)
    }

    private static func control(type: UInt16, flags: UInt8, body: [UInt8]) throws(SPDYViolation) -> SPDYFrame {
        func field(_ offset: Int) throws(SPDYViolation) -> UInt32 {
            guard body.count >= offset + 4 else { throw SPDYViolation("control frame of type \(type) is too short") }
            return UInt32(body[offset]) << 24 | UInt32(body[offset + 1]) << 16 | UInt32(body[offset + 2]) << 8 | UInt32(body[offset + 3])
        }
        switch SPDYFrame.ControlType(rawValue: type) {
        case .synStream:
            guard body.count >= 10 else { throw SPDYViolation("SYN_STREAM is too short") }
            let id = try field(0) & 0x7FFF_FFFF
            guard id != 0 else { throw SPDYViolation("stream id zero is disallowed") }
            return .synStream(streamID: id, associatedTo: try field(4) & 0x7FFF_FFFF, priority: body[8] >> 5,
                              flags: flags, headerBlock: Array(body[10...]))
        case .synReply:
            return .synReply(streamID: try field(0) & 0x7FFF_FFFF, flags: flags, headerBlock: Array(body.dropFirst(4)))
        case .rstStream:
            return .rstStream(streamID: try field(0) & 0x7FFF_FFFF, status: try field(4))
        case .settings:
            return .settings(flags: flags, payload: body)
        case .ping:
            return .ping(id: try field(0))
        case .goAway:
            return .goAway(lastGoodStreamID: try field(0) & 0x7FFF_FFFF, status: body.count >= 8 ? try field(4) : 0)
        case .headers:
            return .headers(streamID: try field(0) & 0x7FFF_FFFF, flags: flags, headerBlock: Array(body.dropFirst(4)))
        case .windowUpdate:
            return .windowUpdate(streamID: try field(0) & 0x7FFF_FFFF, delta: try field(4) & 0x7FFF_FFFF)
        case nil:
            throw SPDYViolation("unknown control frame type \(type)")
        }
    }

    private func word(at offset: Int) -> UInt32 {
        UInt32(buffer[offset]) << 24 | UInt32(buffer[offset + 1]) << 16 | UInt32(buffer[offset + 2]) << 8 | UInt32(buffer[offset + 3])
    }
}
