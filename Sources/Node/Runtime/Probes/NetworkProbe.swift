import Foundation

/// tcpSocket and httpGet handlers, dialled from inside a pod's network namespace with upstream's
/// messages (Go's net errors: `dial tcp 127.0.0.1:80: connect: connection refused`). Each call
/// blocks its thread: the caller gives it one of its own.
enum NetworkProbe {
    /// upstream's User-Agent: `kube-probe/<major>.<minor>`.
    static let userAgent = "kube-probe/1.32"

    static func tcp(host: String, port: Int, namespace: String, timeout: TimeInterval) -> HandlerOutcome {
        switch dial(host: host, port: port, namespace: namespace, timeout: timeout) {
        case .success(let fd):
            close(fd)
            return HandlerOutcome(success: true, output: "")
        case .failure(let error):
            return .failure(error.description)
        }
    }

    /// GET the URL; 200-399 succeeds (a redirect is not followed: it counts as success, as
    /// upstream counts one to another host). HTTPS is not spoken.
    static func http(_ get: ContainerHandler.HTTPGet, host: String, namespace: String, timeout: TimeInterval) -> HandlerOutcome {
        let hostPort = host.contains(":") ? "[\(host)]:\(get.port)" : "\(host):\(get.port)"
        let url = "\(get.scheme.lowercased())://\(hostPort)\(get.path)"
        guard get.scheme.uppercased() == "HTTP" else {
            return .failure("Get \"\(url)\": Kubelite's probes speak HTTP only, not \(get.scheme)")
        }
        let fd: Int32
        switch dial(host: host, port: get.port, namespace: namespace, timeout: timeout) {
        case .success(let socket): fd = socket
        case .failure(let error): return .failure("Get \"\(url)\": \(error.description)")
        }
        defer { close(fd) }
        var headers: [(String, String)] = [("Host", hostPort), ("User-Agent", userAgent), ("Accept", "*/*"), ("Connection", "close")]
        for h in get.headers {
            if let i = headers.firstIndex(where: { $0.0.lowercased() == h.name.lowercased() }) { headers[i].1 = h.value } else { headers.append((h.name, h.value)) }
        }
        var request = "GET \(get.path) HTTP/1.1\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { return .failure("Get \"\(url)\": write: \(goError(errno))") }
        // The status line is all that decides; read until it is complete.
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !response.contains(UInt8(ascii: "\n")), response.count < 16 * 1024 {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { response += buffer[..<n]; continue }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                return .failure("Get \"\(url)\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
            }
            break
        }
        let line = String(decoding: response.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let fields = line.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), let code = Int(fields[1]) else {
            return .failure("Get \"\(url)\": net/http: HTTP/1.x transport connection broken: malformed HTTP response \"\(line.trimmingCharacters(in: .whitespacesAndNewlines))\"")
        }
        if (200..<400).contains(code) || get.anyStatus { return HandlerOutcome(success: true, output: "") }
        return .failure("HTTP probe failed with statuscode: \(code)")
    }

    struct DialError: Error, CustomStringConvertible { var description: String }

    /// A connected TCP socket made inside `namespace` (a network namespace's path), with send and
    /// receive timeouts of `timeout`.
    static func dial(host: String, port: Int, namespace: String, timeout: TimeInterval) -> Result<Int32, DialError> {
        let target = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        if inet_pton(AF_INET, host, &address.sin_addr) != 1 {
            guard let resolved = resolve(host) else { return .failure(DialError(description: "dial tcp: lookup \(host): no such host")) }
            address.sin_addr = resolved
        }
        let fd: Int32
        do { fd = try NetworkNamespace.socket(in: namespace) } catch {
            return .failure(DialError(description: "dial tcp \(target): \(error.description)"))
        }
        var interval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            let code = errno
            close(fd)
            // connect gives up with EINPROGRESS when SO_SNDTIMEO runs out.
            if code == EINPROGRESS || code == EAGAIN { return .failure(DialError(description: "dial tcp \(target): i/o timeout")) }
            return .failure(DialError(description: "dial tcp \(target): connect: \(goError(code))"))
        }
        return .success(fd)
    }

    /// The first IPv4 address of a host name (the host's resolver: a probe's `host` names a machine
    /// the node reaches, not a name only the pod's resolver knows).
    static func resolve(_ host: String) -> in_addr? {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        return first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
    }

    /// Go's text for an errno: strerror's, starting lower case (`connection refused`).
    static func goError(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
