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
/// The acceptor counts what it hands over itself, exactly: libmicrohttpd 0.9.75 counts a connection
/// only once its worker has taken it, and a worker given one past its own limit closes it and keeps a
/// mutex locked for good (its "Server reached connection limit" path), which stops the server. So the
/// daemon's limits are set above this one and never reached.
final class ConnectionAcceptor: @unchecked Sendable {
    private let listener: ListeningSocket
    private let daemon: OpaquePointer
    private let limit: Int
    /// An eventfd written once by `stop`, polled beside the listening socket.
    private let wake: Int32
    private let finished = DispatchSemaphore(value: 0)
    /// Guards the state below; signalled when a connection closes and on stop.
    private let condition = NSCondition()
    /// Connections handed to the daemon and not yet closed.
    private var handedOver = 0
    private var stopped = false
    /// How long the acceptor waits before trying again when accepting fails for want of descriptors:
    /// the listening socket stays readable then, so waiting on it would spin.
    private static let backoff: TimeInterval = 0.02

    init(listener: ListeningSocket, daemon: OpaquePointer, limit: Int) {
        self.listener = listener
        self.daemon = daemon
        self.limit = limit
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
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        var one: UInt64 = 1
        _ = write(wake, &one, MemoryLayout<UInt64>.size)
        finished.wait()
        listener.close()
        close(wake)
    }

    /// A connection handed over has closed (libmicrohttpd's close notification).
    func connectionClosed() {
        condition.lock()
        handedOver -= 1
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while waitForRoom() {
            var fds = [pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, -1)
            if ready < 0 && errno == EINTR { continue }
            if fds[1].revents != 0 { return }
            if fds[0].revents != 0, !acceptPending() { waitForStop(Self.backoff) }
        }
    }

    /// Waits while the limit is reached; false once stopped.
    private func waitForRoom() -> Bool {
        condition.lock(); defer { condition.unlock() }
        while handedOver >= limit, !stopped { condition.wait() }
        return !stopped
    }

    private func hasRoom() -> Bool {
        condition.lock(); defer { condition.unlock() }
        return handedOver < limit
    }

    /// Accepts what is waiting, up to a batch, and hands it over. False when accepting fails for want
    /// of descriptors or memory, so the caller backs off instead of polling a socket that stays readable.
    private func acceptPending() -> Bool {
        for _ in 0..<64 {
            guard hasRoom() else { return true }
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
            // Counted before the hand-over: the worker may take it and see it close before this
            // thread runs again. libmicrohttpd closes a socket it refuses (the accept policy) itself.
            condition.lock(); handedOver += 1; condition.unlock()
            let taken = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { MHD_add_connection(daemon, client, $0, length) }
            }
            if taken != MHD_Result.YES { connectionClosed() }
        }
        return true
    }

    private func waitForStop(_ timeout: TimeInterval) {
        condition.lock(); defer { condition.unlock() }
        if !stopped { _ = condition.wait(until: Date().addingTimeInterval(timeout)) }
    }
}
