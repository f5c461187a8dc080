/// Incremental parser of client frames: bytes go in as they arrive, complete frames come out.
public struct WebSocketFrameParser: Sendable {
    private var buffer: [UInt8] = []
    private var offset = 0
    /// The largest payload accepted in one frame.
    public let maxPayload: Int

    public init(maxPayload: Int = 1 << 20) { self.maxPayload = maxPayload }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        // Drop what frames already consumed. In a long stream a read nearly always ends inside a
        // frame, so compact once the consumed part is large, not only when nothing is left.
        if offset > 0, offset == buffer.count || offset >= 64 << 10 {
            buffer.removeFirst(offset)
            offset = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Bytes held, consumed or not (for the test of the compaction above).
    var bufferedByteCount: Int { buffer.count }

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
