import APIMachinery
import Foundation
import Synchronization

/// A client of etcd's v3 JSON gateway (grpc-gateway: POST /v3/<service>/<method>, keys and values
/// base64, int64 fields as decimal strings) over keep-alive connections, one pool per member.
///
/// A call goes to the member that answered last; when it cannot be reached the next one is tried,
/// in `--etcd-servers` order, so a lost member costs one failed connect, not every call.
public final class EtcdClient: Sendable {
    public let endpoints: [EtcdEndpoint]
    private let idle: Mutex<[[EtcdHTTPConnection]]>
    private let preferred = Atomic<Int>(0)
    let connectTimeout: Duration
    let callTimeout: Duration
    let credentials: EtcdTLSCredentials?

    /// - Parameters:
    ///   - connectTimeout: how long a member may take to accept a connection before the next is tried.
    ///   - callTimeout: how long a member may take to answer (etcd itself gives up on a proposal
    ///     after about 7 s without a leader).
    ///   - credentials: TLS for the https members (nil: they are refused).
    public init(endpoints: [EtcdEndpoint], connectTimeout: Duration = .seconds(2), callTimeout: Duration = .seconds(10),
                credentials: EtcdTLSCredentials? = nil) {
        precondition(!endpoints.isEmpty, "etcd needs at least one endpoint")
        self.endpoints = endpoints
        self.credentials = credentials
        self.connectTimeout = connectTimeout
        self.callTimeout = callTimeout
        idle = Mutex(endpoints.map { _ in [] })
    }

    /// A client of the same members with other timeouts (the /readyz probe's), and its own pool.
    public func withTimeouts(connect: Duration, call: Duration) -> EtcdClient {
        EtcdClient(endpoints: endpoints, connectTimeout: connect, callTimeout: call, credentials: credentials)
    }

    /// POSTs `body` to `path` (such as `/v3/kv/range`) and returns the decoded answer.
    ///
    /// When no member can serve the call, the error is the answer of the last member that gave one
    /// (etcd's own text, such as "etcdserver: request timed out"), or `.unreachable` if none did.
    public func call(_ path: String, _ body: JSON) throws(EtcdError) -> JSON {
        let bytes = JSONWriter.encode(body)
        let first = preferred.load(ordering: .relaxed)
        var unreachable = EtcdError.unreachable("no member tried")
        var answered: EtcdError?
        for offset in 0..<endpoints.count {
            let index = (first + offset) % endpoints.count
            do {
                let answer = try call(path, bytes, on: index)
                if offset > 0 { preferred.store(index, ordering: .relaxed) }
                return answer
            } catch {
                switch error {
                case .unreachable: unreachable = error
                case .failed(let code, _) where Self.isUnavailable(code): answered = error
                default: throw error
                }
            }
        }
        throw answered ?? unreachable
    }

    /// gRPC Unavailable (14) and DeadlineExceeded (4): the member is up but has no quorum or leader;
    /// another member may have one.
    static func isUnavailable(_ code: Int) -> Bool { code == 14 || code == 4 }

    /// One member: a pooled connection first (it may have been closed while idle: then once more
    /// on a new one), else a new connection. An answer, even an error, is not sent again: etcd may
    /// have applied a write it answered "request timed out".
    private func call(_ path: String, _ bytes: [UInt8], on index: Int) throws(EtcdError) -> JSON {
        if let pooled = idle.withLock({ $0[index].popLast() }) {
            do {
                return try exchange(pooled, path, bytes, index: index).get()
            } catch {
                guard case .unreachable = error else { throw error }
            }
        }
        let fresh = try EtcdHTTPConnection(endpoints[index], timeout: connectTimeout, ioTimeout: callTimeout, credentials: credentials)
        return try exchange(fresh, path, bytes, index: index).get()
    }

    /// Sends and reads on `connection`; transport failures throw, an answer (even an error Status)
    /// is returned, and the connection goes back to the pool if it can be reused.
    private func exchange(_ connection: EtcdHTTPConnection, _ path: String, _ bytes: [UInt8],
                          index: Int) throws(EtcdError) -> Result<JSON, EtcdError> {
        try connection.post(path, body: bytes)
        let response = try connection.readResponse()
        if response.reusable { idle.withLock { $0[index].append(connection) } }
        guard let decoded = try? JSONParser.parse(response.body).value else {
            return .failure(.malformed("\(connection.endpoint)\(path): HTTP \(response.status), not JSON"))
        }
        if response.status != 200 {
            let code = Self.int(decoded["code"]) ?? -1
            let message = decoded["message"]?.stringValue ?? decoded["error"]?.stringValue ?? "HTTP \(response.status)"
            // Thrown, not returned: the next member is tried.
            if Self.isUnavailable(Int(code)) { throw .failed(code: Int(code), message: message) }
            return .failure(.failed(code: Int(code), message: message))
        }
        return .success(decoded)
    }

    /// A long-lived connection for a streaming call (the watch), to the first member that accepts.
    func openStream(_ path: String, _ body: JSON) throws(EtcdError) -> EtcdHTTPConnection {
        let bytes = JSONWriter.encode(body)
        let first = preferred.load(ordering: .relaxed)
        var failure = EtcdError.unreachable("no member tried")
        for offset in 0..<endpoints.count {
            let index = (first + offset) % endpoints.count
            do throws(EtcdError) {
                let connection = try EtcdHTTPConnection(endpoints[index], timeout: connectTimeout, ioTimeout: nil,
                                                        credentials: credentials)
                try connection.post(path, body: bytes)
                let head = try connection.readHead()
                guard head.status == 200, head.chunked else {
                    throw EtcdError.malformed("\(endpoints[index])\(path): HTTP \(head.status)")
                }
                return connection
            } catch {
                failure = error
            }
        }
        throw failure
    }

    /// An int64 as the gateway writes it (a decimal string) or as a plain number.
    static func int(_ value: JSON?) -> Int64? {
        switch value {
        case .string(let s)?: return Int64(s)
        case .some(let v): return v.intValue
        case nil: return nil
        }
    }
}
