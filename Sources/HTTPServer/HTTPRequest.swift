/// One HTTP request as the API server sees it: fully read, with its body.
/// Header names are lower-cased so lookups are case-insensitive as HTTP requires.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The URL path, percent-decoded by libmicrohttpd, without the query.
    public var path: String
    /// Query parameters in order, percent-decoded.
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The client's address and port as Go's `RemoteAddr` writes it (`127.0.0.1:52144`); empty for
    /// requests that did not come over a socket (in-process calls).
    public var remoteAddress: String
    /// The DER certificates the client presented in the TLS handshake, leaf first; empty over plain
    /// HTTP or when it sent none. Unverified: the authenticator judges them.
    public var peerCertificates: [[UInt8]] = []

    public init(method: String, path: String, query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)] = [], body: [UInt8] = [], remoteAddress: String = "") {
        self.method = method; self.path = path; self.query = query
        self.headers = headers.map { ($0.name.lowercased(), $0.value) }
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The `User-Agent` header, empty when absent.
    public var userAgent: String { header("user-agent") ?? "" }

    /// The first value of a header (name compared case-insensitively).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name == lower }?.value
    }

    /// The first value of a query parameter.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}
