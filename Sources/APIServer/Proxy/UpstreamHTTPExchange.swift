import APIMachinery
import Foundation
import HTTPServer

/// One request relayed over HTTP/1.1 to a pod or an endpoint, as Go's reverse proxy relays it for
/// the API server's proxy subresources: hop-by-hop headers dropped, `X-Forwarded-For` and
/// `X-Forwarded-Uri` added (upstream's proxy transport sets `-Host` and `-Proto` from the request
/// URL, which is empty on a server), the response head read here and its body left on the socket
/// for `ProxyResponseStream`.
struct UpstreamHTTPExchange {
    struct Failure: Error { var message: String }

    /// How the response body ends.
    enum Framing: Equatable { case none, length(Int), chunked, close }

    var status: Int
    var headers: [(name: String, value: String)]
    var framing: Framing
    var socket: Int32
    /// Body bytes read with the head.
    var leftover: [UInt8]

    /// Headers that belong to one connection, not to the message (RFC 9110 §7.6.1, Go's hopHeaders).
    static let hopByHop: Set<String> = ["connection", "proxy-connection", "keep-alive", "proxy-authenticate",
                                        "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"]
    static let dialTimeout: TimeInterval = 30
    static let maxHeadBytes = 1 << 20

    /// Connects, sends `request` for `target` with `path` (already escaped, query included), reads
    /// the response head. Failures carry Go's wording (`dial tcp 10.244.0.5:81: connect: connection refused`).
    /// With `upgrade`, the request's `Connection: Upgrade` and `Upgrade` go along (upstream's
    /// tryUpgrade), and the connection is not closed after the answer.
    static func send(_ request: HTTPRequest, to target: ProxyTarget, port: UInt16, pathAndQuery: String,
                     forwardedURI: String, upgrade: Bool = false) throws(Failure) -> UpstreamHTTPExchange {
        let socket = try dial(host: target.host, port: port, display: target.hostPort)
        var head = "\(request.method) \(pathAndQuery) HTTP/1.1\r\n"
        var sawHost = false
        for header in request.headers where !hopByHop.contains(header.name) && header.name != "content-length" {
            if header.name == "host" { sawHost = true }
            if header.name.hasPrefix("x-forwarded-") { continue }
            head += "\(header.name): \(header.value)\r\n"
        }
        if !sawHost { head += "host: \(target.hostPort)\r\n" }
        let client = request.remoteAddress.split(separator: ":").dropLast().joined(separator: ":")
        if !client.isEmpty { head += "x-forwarded-for: \(client)\r\n" }
        head += "x-forwarded-uri: \(forwardedURI)\r\n"
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) { head += "content-length: \(request.body.count)\r\n" }
        if upgrade, let protocols = request.header("upgrade") {
            head += "connection: Upgrade\r\nupgrade: \(protocols)\r\n\r\n"
        } else {
            head += "connection: close\r\n\r\n"
        }
        guard sendAll(socket, Array(head.utf8) + request.body) else {
            let code = errno
            close(socket)
            throw Failure(message: "write tcp \(target.hostPort): write: \(NetworkErrorText.go(code))")
        }
        var exchange = try readHead(socket, method: request.method)
        exchange.socket = socket
        return exchange
    }

    private static func dial(host: String, port: UInt16, display: String) throws(Failure) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw Failure(message: "dial tcp \(display): address \(host): not an IPv4 address") }
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var timeout = timeval(tv_sec: Int(dialTimeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            if code == EINPROGRESS || code == EAGAIN { throw Failure(message: "dial tcp \(host):\(port): i/o timeout") }
            throw Failure(message: "dial tcp \(host):\(port): connect: \(NetworkErrorText.go(code))")
        }
        var none = timeval()
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    private static func readHead(_ socket: Int32, method: String) throws(Failure) -> UpstreamHTTPExchange {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        var end: Int?
        while end == nil {
            let n = recv(socket, &chunk, chunk.count, 0)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                close(socket)
                throw Failure(message: buffer.isEmpty ? "EOF" : "unexpected EOF")
            }
            let from = max(0, buffer.count - 3)
            buffer += chunk[0..<n]
            end = (from..<max(from, buffer.count - 3)).first { buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10 }
            if end == nil, buffer.count > maxHeadBytes { close(socket); throw Failure(message: "net/http: response head too large") }
        }
        let lines = String(decoding: buffer[0..<end!], as: UTF8.self).components(separatedBy: "\r\n")
        let statusFields = lines[0].split(separator: " ", maxSplits: 2)
        guard statusFields.count >= 2, statusFields[0].hasPrefix("HTTP/1."), let status = Int(statusFields[1]) else {
            close(socket)
            throw Failure(message: "net/http: HTTP/1.x transport connection broken: malformed HTTP response \(FieldError.quote(lines[0]))")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name }?.value }
        let framing: Framing
        if method == "HEAD" || (100..<200).contains(status) || status == 204 || status == 304 {
            framing = .none
        } else if header("transfer-encoding")?.lowercased().contains("chunked") == true {
            framing = .chunked
        } else if let length = header("content-length").flatMap(Int.init) {
            framing = .length(length)
        } else {
            framing = .close
        }
        return UpstreamHTTPExchange(status: status, headers: headers, framing: framing, socket: socket, leftover: Array(buffer[(end! + 4)...]))
    }

    /// The headers the client gets: the upstream's, less hop-by-hop ones and the body's framing
    /// (the API server frames its own answer).
    /// CORS headers are removed too, as upstream's corsRemovingTransport does.
    var clientHeaders: [(name: String, value: String)] {
        headers.filter { !Self.hopByHop.contains($0.name.lowercased()) && $0.name.lowercased() != "content-length"
            && !Self.cors.contains($0.name.lowercased()) }
    }

    static let cors: Set<String> = ["access-control-allow-credentials", "access-control-allow-headers",
                                    "access-control-allow-methods", "access-control-allow-origin"]

    static func sendAll(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            if n < 0, errno == EINTR { continue }
            return false
        }
        return true
    }
}

/// Go's text for an errno (`connection refused`), as its net errors print it.
enum NetworkErrorText {
    static func go(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
