import CMicroHTTPD
import Foundation
import Logging

/// The HTTP/1.1 server: a thin owner of a libmicrohttpd daemon. This file and `ConnectionContext.swift`
/// are the only Swift code that touches libmicrohttpd's pointers; everything above sees `HTTPRequest`
/// and `HTTPResponse`.
///
/// Requests are answered on the second call of the access handler (libmicrohttpd answers
/// `Connection: close` to responses queued on the first), which keeps connections alive.
public final class MicroHTTPServer: @unchecked Sendable {
    public let configuration: HTTPServerConfiguration
    let handler: any HTTPHandler
    let logger: Logger
    /// Open connections, counted per client address for the per-address limit.
    let admission: ConnectionAdmission
    private var daemon: OpaquePointer?
    /// Accepts connections and hands them to the daemon's workers; set once the daemon runs.
    private(set) var acceptor: ConnectionAcceptor?
    /// Watches suspended streams for clients that hang up; set before the daemon starts.
    private(set) var hangupMonitor: ClientHangupMonitor?
    /// Cuts new connections whose first request head is late; set before the daemon starts.
    private(set) var headDeadline: RequestHeadDeadline?
    /// Guards the state below; signalled when a deferred request ends.
    private let lock = NSCondition()
    /// Streams currently attached to connections; resumed and closed on stop, as libmicrohttpd
    /// requires every suspended connection to be resumed before the daemon stops.
    var openStreams: [ObjectIdentifier: StreamContext] = [:]
    /// Deferred requests not yet over (waiting, or their answer not yet sent); answered 503 on stop.
    private var openDeferred: [ObjectIdentifier: DeferredResponse] = [:]
    /// How long `stop` lets the 503 answers to deferred requests reach their clients.
    static let deferredDrainTimeout: TimeInterval = 2
    private(set) var stopping = false
    /// The PEM texts handed to libmicrohttpd for HTTPS, kept until the daemon stops.
    private var tlsStrings: TLSDaemonOptions?
    /// WebSocket connections handed over by libmicrohttpd (see `MicroHTTPServer+Upgrade.swift`).
    let upgraded = UpgradedConnections()

    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger = Logger(label: "kubelite.http")) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.admission = ConnectionAdmission(limitPerAddress: configuration.maxConnectionsPerAddress)
    }

    /// Client connections open now (idle, active, suspended watches and upgraded ones).
    public var openConnectionCount: Int { admission.openConnections }

    /// The port actually bound (useful when configured with 0).
    public private(set) var port: UInt16 = 0

    public func start() throws {
        let tlsOptions = TLSDaemonOptions(configuration.tls)
        // We bind the listening socket ourselves: it tells us the port picked for port 0, and binding
        // errors are reported precisely instead of as a failed daemon start.
        let listener = try ListeningSocket.bind(address: configuration.bindAddress, port: configuration.port)
        port = listener.port
        hangupMonitor = ClientHangupMonitor()
        // libmicrohttpd 0.9.75 runs no inactivity timer while a TLS handshake is pending, so a client
        // that connects and sends nothing would hold its slot until the head deadline; over TLS that
        // deadline is therefore no longer than the inactivity timeout either.
        let headTimeout = configuration.tls == nil ? configuration.requestHeadTimeoutSeconds
            : min(configuration.requestHeadTimeoutSeconds, Double(configuration.connectionTimeoutSeconds))
        let deadline = RequestHeadDeadline(timeout: headTimeout)
        deadline.start()
        headDeadline = deadline
        var flags = MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_USE_TURBO.rawValue
            | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ERROR_LOG.rawValue
            | MHD_ALLOW_UPGRADE.rawValue  // WebSocket (exec, attach)
            | MHD_USE_NO_LISTEN_SOCKET.rawValue  // ConnectionAcceptor accepts and hands connections over
        if configuration.tls != nil { flags |= MHD_USE_TLS.rawValue }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let completed = unsafeBitCast(MicroHTTPServer.requestCompleted, to: UnsafeMutableRawPointer.self)
        let externalLogger = unsafeBitCast(MicroHTTPDLog.callback, to: UnsafeMutableRawPointer.self)
        let notifyConnection = unsafeBitCast(MicroHTTPServer.connectionNotification, to: UnsafeMutableRawPointer.self)
        var options: [MHD_OptionItem] = [
            // First, so that even messages about the options below go through our logger.
            MHD_OptionItem(option: MHD_OPTION.EXTERNAL_LOGGER, value: Int(bitPattern: externalLogger), ptr_value: context),
            MHD_OptionItem(option: MHD_OPTION.THREAD_POOL_SIZE, value: configuration.threads, ptr_value: nil),
            // Each worker's share of this is the whole limit, which the acceptor enforces; see ConnectionAcceptor.
            MHD_OptionItem(option: MHD_OPTION.CONNECTION_LIMIT, value: configuration.connectionLimit * max(configuration.threads, 1), ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.CONNECTION_TIMEOUT, value: configuration.connectionTimeoutSeconds, ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.CONNECTION_MEMORY_LIMIT, value: configuration.connectionMemoryLimit, ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.THREAD_STACK_SIZE, value: configuration.threadStackBytes, ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.NOTIFY_COMPLETED, value: Int(bitPattern: completed), ptr_value: context),
            MHD_OptionItem(option: MHD_OPTION.NOTIFY_CONNECTION, value: Int(bitPattern: notifyConnection), ptr_value: context),
        ]
        options += tlsOptions.items
        options.append(MHD_OptionItem(option: MHD_OPTION.END, value: 0, ptr_value: nil))
        let started: OpaquePointer? = options.withUnsafeMutableBufferPointer { items in
            withVaList([Int32(bitPattern: MHD_OPTION.ARRAY.rawValue), items.baseAddress!, Int32(bitPattern: MHD_OPTION.END.rawValue)]) { args in
                MHD_start_daemon_va(flags, 0, MicroHTTPServer.acceptPolicy, context, MicroHTTPServer.accessHandler, context, args)
            }
        }
        guard let started else {
            tlsOptions.release()
            listener.close()
            hangupMonitor?.stop()
            hangupMonitor = nil
            deadline.stop()
            throw HTTPServerError.startFailed(address: configuration.bindAddress, port: port)
        }
        daemon = started
        tlsStrings = tlsOptions
        let acceptor = ConnectionAcceptor(listener: listener, daemon: started, limit: configuration.connectionLimit,
                                          firstBytesTimeout: configuration.tls == nil ? nil : headTimeout)
        acceptor.start()
        self.acceptor = acceptor
    }

    /// Stops accepting, ends open streams, answers deferred requests still waiting with a 503 Status
    /// (and gives those answers a moment to be sent), then stops the daemon.
    public func stop() {
        lock.lock()
        guard let d = daemon, !stopping else { lock.unlock(); return }
        stopping = true
        let streams = Array(openStreams.values)
        let deferred = Array(openDeferred.values)
        lock.unlock()
        acceptor?.stop()
        for stream in streams { stream.shutdown() }
        for waiting in deferred { waiting.complete(HTTPServerErrors.shuttingDown) }
        upgraded.closeAll()
        let deadline = Date().addingTimeInterval(Self.deferredDrainTimeout)
        lock.lock()
        while !openDeferred.isEmpty, lock.wait(until: deadline) {}
        lock.unlock()
        MHD_stop_daemon(d)
        hangupMonitor?.stop()
        headDeadline?.stop()
        lock.lock()
        daemon = nil
        lock.unlock()
        tlsStrings?.release()
        tlsStrings = nil
    }

    func register(_ stream: StreamContext) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if stopping { return false }
        openStreams[ObjectIdentifier(stream)] = stream
        return true
    }

    func unregister(_ stream: StreamContext) {
        lock.lock(); defer { lock.unlock() }
        openStreams[ObjectIdentifier(stream)] = nil
    }

    func register(_ deferred: DeferredResponse) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if stopping { return false }
        openDeferred[ObjectIdentifier(deferred)] = deferred
        return true
    }

    func unregister(_ deferred: DeferredResponse) {
        lock.lock(); defer { lock.unlock() }
        openDeferred[ObjectIdentifier(deferred)] = nil
        lock.broadcast()
    }

    /// Open WebSocket connections.
    public var webSocketCount: Int { upgraded.count }

    /// Deferred requests in flight: waiting for their answer or sending it.
    public var deferredRequestCount: Int {
        lock.lock(); defer { lock.unlock() }
        return openDeferred.count
    }

    deinit { stop() }
}

public enum HTTPServerError: Error, CustomStringConvertible {
    case invalidBindAddress(String)
    case startFailed(address: String, port: UInt16)

    public var description: String {
        switch self {
        case .invalidBindAddress(let a): return "invalid bind address \(a) (an IPv4 address is expected)"
        case .startFailed(let a, let p): return "could not listen on \(a):\(p) (address in use or not permitted)"
        }
    }
}
