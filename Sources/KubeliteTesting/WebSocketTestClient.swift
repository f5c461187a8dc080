import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking RFC 6455 client over one TCP connection, written independently of the server's
/// framing so tests check the server against the RFC rather than against itself. Every read has a
/// deadline (SO_RCVTIMEO), so a server that stalls fails the test instead of hanging it.
public final class WebSocketTestClient {
    public let fd: Int32
    private var buffer: [UInt8] = []

    /// The handshake's answer: status line code, headers (lower-cased names), and the body of a
    /// refused upgrade.
    public struct Handshake {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Frame: Equatable {
        public var fin: Bool
        public var opcode: UInt8
        public var payload: [UInt8]
        public init(fin: Bool, opcode: UInt8, payload: [UInt8]) { self.fin = fin; self.opcode = opcode; self.payload = payload }
        public var closeCode: UInt16? { opcode == 8 && payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil }
    }

    public init(port: UInt16, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { throw NSError(domain: "connect", code: Int(errno)) }
    }

    deinit { close(fd) }

    /// RFC 6455 §1.3's sample key; its accept value is `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`.
    public static let sampleKey = "dGhlIHNhbXBsZSBub25jZQ=="

    /// Sends the upgrade request (`protocols` nil: no Sec-WebSocket-Protocol header) and reads the answer.
    public func handshake(method: String = "GET", path: String, protocols: [String]?, key: String = sampleKey,
                          extraHeaders: [String: String] = [:]) throws -> Handshake {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        if let protocols { head += "Sec-WebSocket-Protocol: \(protocols.joined(separator: ", "))\r\n" }
        for (k, v) in extraHeaders { head += "\(k): \(v)\r\n" }
        if method == "POST" { head += "Content-Length: 0\r\n" }
        head += "\r\n"
        sendRaw(Array(head.utf8))
        var end: Int?
        while end == nil {
            end = buffer.indices.dropLast(3).first { buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10 }
            if end == nil { try fill() }
        }
        let text = String(decoding: buffer[0..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var lines = text.components(separatedBy: "\r\n")
        let status = Int(lines.removeFirst().split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased(), value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        var body: [UInt8] = []
        if status != 101, let length = headers["content-length"].flatMap(Int.init) {
            while buffer.count < length { try fill() }
            body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        }
        return Handshake(status: status, headers: headers, body: body)
    }

    /// Sends one masked frame (clients must mask, §5.3).
    public func send(opcode: UInt8, _ payload: [UInt8], fin: Bool = true, masked: Bool = true) {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            frame.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: UInt64(payload.count) >> UInt64(shift))) }
        }
        if masked {
            let mask: [UInt8] = (0..<4).map { _ in UInt8.random(in: 0...255) }
            frame += mask
            frame += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        } else {
            frame += payload
        }
        sendRaw(frame)
    }

    public func sendBinary(_ payload: [UInt8]) { send(opcode: 2, payload) }

    public func sendClose(code: UInt16 = 1000) { send(opcode: 8, [UInt8(code >> 8), UInt8(code & 0xFF)]) }

    /// The next frame from the server; throws when the connection ends or the deadline passes.
    public func readFrame() throws -> Frame {
        while true {
            if buffer.count >= 2 {
                let masked = buffer[1] & 0x80 != 0
                var length = Int(buffer[1] & 0x7F), header = 2
                if length == 126 {
                    if buffer.count < 4 { try fill(); continue }
                    length = Int(buffer[2]) << 8 | Int(buffer[3]); header = 4
                } else if length == 127 {
                    if buffer.count < 10 { try fill(); continue }
                    length = buffer[2..<10].reduce(0) { $0 << 8 | Int($1) }; header = 10
                }
                if masked { throw NSError(domain: "websocket", code: 1, userInfo: [NSLocalizedDescriptionKey: "server frames must not be masked"]) }
                if buffer.count >= header + length {
                    let frame = Frame(fin: buffer[0] & 0x80 != 0, opcode: buffer[0] & 0x0F, payload: Array(buffer[header..<header + length]))
                    buffer.removeFirst(header + length)
                    return frame
                }
            }
            try fill()
        }
    }

    /// True when the server closed the TCP connection (a read returns end of file).
    public func readsEndOfFile() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return false }
        }
    }

    public func sendRaw(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { throw NSError(domain: "recv", code: Int(errno), userInfo: [NSLocalizedDescriptionKey: "connection closed or timed out"]) }
        buffer.append(contentsOf: chunk[0..<n])
    }
}
