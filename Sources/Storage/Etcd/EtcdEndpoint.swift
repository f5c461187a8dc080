/// One etcd member's client URL (`http://host:port` or `https://host:port`), as given to `--etcd-servers`.
public struct EtcdEndpoint: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int
    /// https: the connection is TLS (see EtcdTLSCredentials).
    public let secure: Bool

    public init(host: String, port: Int, secure: Bool = false) { self.host = host; self.port = port; self.secure = secure }

    /// Parses `http://host:port` or `https://host:port` (port 2379 when absent; no scheme is http).
    public init?(url: String) {
        var rest = Substring(url)
        if rest.hasPrefix("http://") {
            rest = rest.dropFirst(7)
            secure = false
        } else if rest.hasPrefix("https://") {
            rest = rest.dropFirst(8)
            secure = true
        } else if rest.contains("://") {
            return nil
        } else {
            secure = false
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasPrefix("[") {
            // [v6]:port
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? -1 : 2379
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            port = Int(rest[rest.index(after: colon)...]) ?? -1
        } else {
            host = String(rest)
            port = 2379
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
    }

    public var description: String {
        let scheme = secure ? "https" : "http"
        return host.contains(":") ? "\(scheme)://[\(host)]:\(port)" : "\(scheme)://\(host):\(port)"
    }
}

/// Why a call to etcd failed.
public enum EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No member answered (connection refused, reset, timed out).
    case unreachable(String)
    /// A member took the call but did not answer it within the call timeout (a stopped or
    /// overloaded member): it may still apply it, so the call is not sent again, to it or another.
    case timedOut(String)
    /// A member answered with an error Status (gRPC code and message, as the gateway reports them).
    case failed(code: Int, message: String)
    /// A member answered something that is not what the gateway sends.
    case malformed(String)

    public var description: String {
        switch self {
        case .unreachable(let why): return "etcd unreachable: \(why)"
        case .timedOut(let why): return "etcd did not answer in time: \(why)"
        case .failed(let code, let message): return "etcd error \(code): \(message)"
        case .malformed(let why): return "unexpected answer from etcd: \(why)"
        }
    }

    /// etcd's own text for a revision older than its compaction (mvcc.ErrCompacted).
    var isCompacted: Bool {
        if case .failed(_, let message) = self { return message.contains("required revision has been compacted") }
        return false
    }
}
