import CLinux
import CMicroHTTPD
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Accepts connections on the listening socket on its own thread and hands each to libmicrohttpd
/// with `MHD_add_connection`, which places it on a worker by its descriptor, so a burst of
/// connections is spread evenly over the workers.
///
/// Why not let libmicrohttpd accept: every worker polls the same listening socket, and the first one
/// awake accepts up to ten connections in a row before it serves any. Over TLS a handshake keeps that
/// worker busy, so a burst (wrk's 50 connections, a test suite's clients) regularly lands entirely on
/// one worker while the others idle; kept-alive connections never move, which halved HTTPS throughput
/// on two cores in the benchmarks. SO_REUSEPORT sockets (one per worker) would also spread them, but
/// would let a second server started on the same port share it silently instead of failing.
///
/// At the connection limit it stops accepting until a connection closes, so further clients wait in
/// the listen backlog, as they did when libmicrohttpd accepted, rather than being accepted and closed.
final class ConnectionAcceptor: @unchecked Sendable {
    private let listener: ListeningSocket
    private let daemon: OpaquePointer
    private let limit: Int
    private let openConnections: @Sendable () -> Int
    /// An eventfd written once by `stop`, polled beside the listening socket.
    private let wake: Int32
    private let finished = DispatchSemaphore(value: 0)
    /// How often the acceptor looks again while at the connection limit or out of descriptors: the
    /// listening socket stays readable then, so waiting on it would spin.
    private static let backoffMilliseconds: Int32 = 20

    init(listener: ListeningSocket, daemon: OpaquePointer, limit: Int, openConnections: @escaping @Sendable () -> Int) {
        self.listener = listener
        self.daemon = daemon
        self.limit = limit
        self.openConnections = openConnections
        self.wake = eventfd(0, Int32(EFD_CLOEXEC))
    }

    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "http-acceptor"
        thread.start()
    }

    /// Stops accepting and closes the listening socket; connections already handed over stay open.
    func stop() {
        var one: UInt64 = 1
        _ = write(wake, &one, MemoryLayout<UInt64>.size)
        finished.wait()
        listener.close()
        close(wake)
    }

    private func run() {
        while true {
            if openConnections() >= limit {
                if waitForStop(timeout: Self.backoffMilliseconds) { return }
                continue
            }
            var fds = [pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, -1)
            if ready < 0 && errno == EINTR { continue }
            if fds[1].revents != 0 { return }
            if fds[0].revents != 0, !acceptPending(), waitForStop(timeout: Self.backoffMilliseconds) { return }
        }
    }

    /// Accepts what is waiting, up to a batch, and hands it over. False when accepting fails for want
    /// of descriptors or memory, so the caller backs off instead of polling a socket that stays readable.
    private func acceptPending() -> Bool {
        for _ in 0..<64 {
            // Connections are counted once their worker has taken them, a moment after the hand-over:
            // in a burst right at the limit a few more may be handed over, and libmicrohttpd closes those.
            if openConnections() >= limit { return true }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    kubelite_accept_nonblocking(listener.descriptor, $0, &length)
                }
            }
            if client < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: return false
                default: return true  // EAGAIN: nothing more waiting
                }
            }
            // libmicrohttpd closes the socket itself when it refuses it (accept policy, limit).
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { MHD_add_connection(daemon, client, $0, length) }
            }
        }
        return true
    }

    /// Waits up to `timeout` ms for `stop`; true once it has been asked.
    private func waitForStop(timeout: Int32) -> Bool {
        var fds = pollfd(fd: wake, events: Int16(POLLIN), revents: 0)
        return poll(&fds, 1, timeout) > 0
    }
}
