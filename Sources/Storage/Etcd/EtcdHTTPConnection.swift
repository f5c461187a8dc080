import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP/1.1 connection to an etcd member's JSON gateway over a POSIX socket, with TLS
/// (GnuTLS) for an https member.
///
/// Not URLSession: swift-corelibs-foundation runs it on libcurl with a delegate queue per session,
/// which adds a thread hop to every unary call and buffers streamed bodies unpredictably; the
/// gateway needs only POST with a JSON body, Content-Length or chunked answers, and keep-alive.
/// A connection is used by one caller at a time (the pool hands it out), hence unchecked Sendable.
final class EtcdHTTPConnection: @unchecked Sendable {
    private var fd: Int32
    /// Bytes read from the socket and not consumed yet.
    private var buffer: [UInt8] = []
    private var start = 0
    /// What each receive reads into (allocated once: a fresh 64 KiB array per read was zeroed each time).
    private var scratch = [UInt8](repeating: 0, count: 65536)
    let endpoint: EtcdEndpoint
    private var tls: EtcdTLSSession?

    /// Connects within `timeout`; `ioTimeout` bounds each later send and receive (nil: none, for
    /// the watch stream, which may stay quiet for as long as nothing changes).
    /// An https member's connection handshakes within `timeout` too, with `credentials`.
    init(_ endpoint: EtcdEndpoint, timeout: Duration, ioTimeout: Duration?,
         credentials: EtcdTLSCredentials? = nil) throws(EtcdError) {
        self.endpoint = endpoint
        fd = -1
        fd = try Self.connect(endpoint, timeout: timeout)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if endpoint.secure {
            guard let credentials else { throw .unreachable("\(endpoint): https without TLS credentials") }
            setTimeout(timeout)
            tls = try EtcdTLSSession(fd: fd, endpoint: endpoint, credentials: credentials, timeout: timeout)
        }
        setTimeout(ioTimeout ?? .zero)  // zero: none
        tls?.timeout = ioTimeout
    }

    private func setTimeout(_ duration: Duration) {
        var tv = Self.timeValue(duration)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Wakes a reader blocked on this connection (it then sees the end of the stream); safe from
    /// another thread, unlike close.
    func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// Sends a POST of `body` to `path`.
    func post(_ path: String, body: [UInt8]) throws(EtcdError) {
        let head = "POST \(path) HTTP/1.1\r\nHost: \(endpoint.host):\(endpoint.port)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        try write(Array(head.utf8) + body)
    }

    /// Reads a whole response: status, body, and whether the connection may be reused.
    func readResponse() throws(EtcdError) -> (status: Int, body: [UInt8], reusable: Bool) {
        let head = try readHead()
        var body: [UInt8] = []
        if head.chunked {
            while let chunk = try readChunk() { body += chunk }
        } else if let length = head.contentLength {
            body = try readExactly(length)
        } else {
            // No length: the body runs to the end of the connection.
            while let more = try fill() { _ = more }
            body = Array(buffer[start...])
            start = buffer.count
            return (head.status, body, false)
        }
        return (head.status, body, head.keepAlive)
    }

    struct Head {
        var status: Int
        var chunked = false
        var contentLength: Int?
        var keepAlive = true
    }

    /// Reads a status line and headers.
    func readHead() throws(EtcdError) -> Head {
        var end: Int?
        while end == nil {
            end = Self.find([13, 10, 13, 10], in: buffer, from: start)
            if end == nil, try fill() == nil { throw .unreachable("\(endpoint): connection closed before a response") }
        }
        let text = String(decoding: buffer[start..<end!], as: UTF8.self)
        start = end! + 4
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusWords = lines.first?.split(separator: " ") ?? []
        guard statusWords.count >= 2, let status = Int(statusWords[1]) else {
            throw .malformed("\(endpoint): bad status line \(lines.first ?? "")")
        }
        var head = Head(status: status)
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces).lowercased()
            switch name {
            case "content-length": head.contentLength = Int(value)
            case "transfer-encoding": head.chunked = value.contains("chunked")
            case "connection": head.keepAlive = value != "close"
            default: break
            }
        }
        return head
    }

    /// The next chunk of a chunked body, or nil at its end.
    func readChunk() throws(EtcdError) -> [UInt8]? {
        let sizeLine = try readLine()
        let hex = sizeLine.split(separator: ";").first.map(String.init) ?? ""
        guard let size = Int(hex.trimmingCharacters(in: .whitespaces), radix: 16) else {
            throw .malformed("\(endpoint): bad chunk size \(sizeLine)")
        }
        if size == 0 {
            // Trailers, up to the empty line.
            while try !readLine().isEmpty {}
            return nil
        }
        let chunk = try readExactly(size)
        _ = try readExactly(2)
        return chunk
    }

    private func readLine() throws(EtcdError) -> String {
        while true {
            if let end = Self.find([13, 10], in: buffer, from: start) {
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = end + 2
                return line
            }
            if try fill() == nil { throw .unreachable("\(endpoint): connection closed mid-response") }
        }
    }

    private func readExactly(_ count: Int) throws(EtcdError) -> [UInt8] {
        while buffer.count - start < count {
            if try fill() == nil { throw .unreachable("\(endpoint): connection closed mid-response") }
        }
        let bytes = Array(buffer[start..<start + count])
        start += count
        return bytes
    }

    /// Reads more bytes into the buffer; nil at the end of the stream.
    private func fill() throws(EtcdError) -> Int? {
        if start > 0 && start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        if start > 65536 { buffer.removeFirst(start); start = 0 }
        while true {
            if let tls {
                // withUnsafeMutableBytes rethrows untyped errors: the typed one travels in a Result.
                let n = try scratch.withUnsafeMutableBytes { buffer in Result { () throws(EtcdError) in try tls.receive(buffer) } }.get()
                if n > 0 { buffer.append(contentsOf: scratch[0..<n]); return n }
                return nil
            }
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { buffer.append(contentsOf: scratch[0..<n]); return n }
            if n == 0 { return nil }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw .timedOut("\(endpoint): no answer") }
            throw .unreachable("\(endpoint): \(String(cString: strerror(errno)))")
        }
    }

    private func write(_ bytes: [UInt8]) throws(EtcdError) {
        var sent = 0
        while sent < bytes.count {
            if let tls {
                sent += try bytes.withUnsafeBytes { all in
                    Result { () throws(EtcdError) in try tls.send(UnsafeRawBufferPointer(rebasing: all[sent...])) }
                }.get()
                continue
            }
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw .timedOut("\(endpoint): send blocked") }
            throw .unreachable("\(endpoint): \(String(cString: strerror(errno)))")
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard haystack.count - from >= needle.count else { return nil }
        var i = from
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] && haystack[i..<i + needle.count].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    private static func timeValue(_ d: Duration) -> timeval {
        let (s, a) = d.components
        return timeval(tv_sec: Int(s), tv_usec: Int(a / 1_000_000_000_000))
    }

    /// A non-blocking connect bounded by `timeout`, so an unreachable member costs a bounded wait
    /// before the next one is tried.
    private static func connect(_ endpoint: EtcdEndpoint, timeout: Duration) throws(EtcdError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list) == 0, let first = list else {
            throw .unreachable("\(endpoint): cannot resolve \(endpoint.host)")
        }
        defer { freeaddrinfo(list) }
        var failure = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let ai = entry {
            entry = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), ai.pointee.ai_protocol)
            if fd < 0 { continue }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var result = Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen)
            if result < 0 && errno == EINPROGRESS {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let (s, a) = timeout.components
                let millis = Int32(s * 1000 + a / 1_000_000_000_000_000)
                if poll(&pfd, 1, millis) == 1 {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    result = error == 0 ? 0 : -1
                    errno = error
                } else {
                    errno = ETIMEDOUT
                }
            }
            if result == 0 {
                _ = fcntl(fd, F_SETFL, flags)
                return fd
            }
            failure = String(cString: strerror(errno))
            Glibc.close(fd)
        }
        throw .unreachable("\(endpoint): \(failure)")
    }
}
