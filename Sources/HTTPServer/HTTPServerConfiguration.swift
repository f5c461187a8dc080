/// Limits and sizing of the HTTP layer.
public struct HTTPServerConfiguration: Sendable {
    /// IPv4 address to listen on.
    public var bindAddress: String = "127.0.0.1"
    /// 0 lets the kernel pick a free port; `MicroHTTPServer.port` tells which.
    public var port: UInt16 = 8080
    /// Worker threads, each with its own epoll loop; sized to the cores so no thread waits on another.
    public var threads: Int = max(1, System.coreCount)
    /// Largest request body accepted; upstream's kube-apiserver limit is 3 MiB.
    public var maxBodyBytes: Int = 3 * 1024 * 1024
    /// Largest total of request header bytes answered normally; larger gets a 431 Status.
    /// Kept small because libmicrohttpd's per-connection pool, which must hold the headers, is
    /// resident for every open connection, and an idle watch is an open connection.
    public var maxHeaderBytes: Int = 8 * 1024 {
        didSet { connectionMemoryLimit = max(16 * 1024, maxHeaderBytes * 2) }
    }
    /// libmicrohttpd's per-connection memory pool (headers and read buffer must fit in it). Headers
    /// beyond it get libmicrohttpd's own 431 reply rather than a Status.
    public var connectionMemoryLimit: Int = 16 * 1024
    /// A connection that is neither suspended (a watch waiting for events, a deferred request) nor
    /// upgraded and has not sent or received a byte for this long is closed: an idle keep-alive
    /// connection, and equally a client that stalls while sending a request head or body (slow
    /// headers). kube-apiserver's server closes idle connections after 90 s (`IdleTimeout`, matching
    /// Go clients' keep-alive) and stalled heads after 32 s; libmicrohttpd has one inactivity timer
    /// for both, so it takes the idle value.
    public var connectionTimeoutSeconds: Int = 90
    /// A new connection's first request head must be complete this long after it is accepted, however
    /// steadily its bytes trickle in (kube-apiserver's `ReadHeaderTimeout`, 32 s); see `RequestHeadDeadline`.
    public var requestHeadTimeoutSeconds: Double = 32
    /// Connections held at once; more wait in the listen backlog until one closes. Below the
    /// open-file limit (see `FileDescriptorLimit`) so that reaching it never makes `accept` fail.
    public var connectionLimit: Int = FileDescriptorLimit.connectionLimit(for: FileDescriptorLimit.current)
    /// Connections one non-loopback client address may hold at once (0: no limit); more are closed
    /// as soon as they are accepted. Loopback clients are not limited (see `ConnectionAdmission`).
    public var maxConnectionsPerAddress: Int = 1000
    /// HTTPS when set (see `TLSServing`); plain HTTP otherwise.
    public var tls: TLSServing?
    /// Stack for libmicrohttpd's threads: request handling recurses over JSON up to 10,000 levels deep.
    public var threadStackBytes: Int = 64 * 1024 * 1024

    public init() {}
}

public enum System {
    public static var coreCount: Int {
        #if os(Linux)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 2
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif
