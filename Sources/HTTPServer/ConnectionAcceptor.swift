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
///
/// Over TLS a connection is held here until its first bytes (the ClientHello) arrive, and closed here if
/// none come within `firstBytesTimeout`: libmicrohttpd 0.9.75 runs no timer during a handshake and does
/// not notice a handshake-pending socket being shut down, so sockets that connect and never speak would
/// hold their slots for good, and enough of them (an idle-connection flood) lock every client out.
final class ConnectionAcceptor: @unchecked Sendable {
    private let listener: ListeningSocket
    private let daemon: OpaquePointer
    private let limit: Int
    /// nil: connections are handed over as accepted; otherwise how long one may stay silent.
    private let firstBytesTimeout: TimeInterval?
    /// The acceptor's epoll set: the listening socket, `wake`, and the held connections.
    private let poller: Int32
    /// An eventfd written once by `stop`.
    private let wake: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    /// Connections accepted and not yet closed (held here or handed over), under `lock`.
    private var admitted = 0
    /// Held connections and when they are due (acceptor thread only); `due` in accept order, so
    /// the earliest is first (an entry whose descriptor has since been handed over is skipped).
    private var held: [Int32: (deadline: ContinuousClock.Instant, peer: Peer)] = [:]
    private var due: [(socket: Int32, deadline: ContinuousClock.Instant)] = []
    private var dueStart = 0
    private var listening = false
    /// Held connections closed for staying silent.
    private(set) var silentClosed = 0
    /// While at the limit the listening socket is out of the set, and the count is looked at again
    /// this often (connections close on libmicrohttpd's threads, which do not wake this one).
    private static let limitRecheck: Duration = .milliseconds(20)

    /// A client's address as accept(2) gave it, for libmicrohttpd.
    struct Peer {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    }

    init(listener: ListeningSocket, daemon: OpaquePointer, limit: Int, firstBytesTimeout: TimeInterval?) {
        self.listener = listener
        self.daemon = daemon
        self.limit = limit
        self.firstBytesTimeout = firstBytesTimeout
        poller = epoll_create1(Int32(EPOLL_CLOEXEC))
        wake = eventfd(0, Int32(EFD_CLOEXEC))
        watch(wake, EPOLLIN.rawValue)
    }

    func start() {
        let thread = Thread { [self] in
            run()
            for socket in held.keys { close(socket) }
            finished.signal()
        }
        thread.name = "http-acceptor"
        thread.start()
    }

    /// Stops accepting and closes the listening socket and held connections; connections already
    /// handed over stay open.
    func stop() {
        var one: UInt64 = 1
        _ = write(wake, &one, MemoryLayout<UInt64>.size)
        finished.wait()
        listener.close()
        close(wake)
        close(poller)
    }

    /// A connection handed over has closed (libmicrohttpd's close notification).
    func connectionClosed() {
        lock.lock(); admitted -= 1; lock.unlock()
    }

    private func hasRoom() -> Bool {
        lock.lock(); defer { lock.unlock() }
        return admitted < limit
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let room = hasRoom()
            if room != listening {
                if room { watch(listener.descriptor, EPOLLIN.rawValue) } else { unwatch(listener.descriptor) }
                listening = room
            }
            let ready = epoll_wait(poller, &events, Int32(events.count), waitMilliseconds())
            if ready < 0 && errno != EINTR { return }
            for event in events.prefix(max(Int(ready), 0)) {
                let socket = event.data.fd
                if socket == wake { return }
                if socket == listener.descriptor { acceptPending(); continue }
                // A held connection spoke (or hung up: libmicrohttpd then reads the end and closes it).
                unwatch(socket)
                guard let hold = held.removeValue(forKey: socket) else { continue }
                handOver(socket, hold.peer)
            }
            closeSilent()
        }
    }

    /// Until the next held connection is due, or the limit recheck; -1: nothing to wait for.
    private func waitMilliseconds() -> Int32 {
        var wait: Duration? = listening ? nil : Self.limitRecheck
        if let first = nextDue() {
            let left = max(first - .now, .zero)
            wait = wait.map { min($0, left) } ?? left
        }
        guard let wait else { return -1 }
        return Int32(min(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000 + 1, 60_000))
    }

    private func nextDue() -> ContinuousClock.Instant? {
        while dueStart < due.count {
            let entry = due[dueStart]
            if held[entry.socket]?.deadline == entry.deadline {
                // Under a steady stream of connections the list never empties: drop the passed entries.
                if dueStart >= 1024, dueStart * 2 >= due.count {
                    due.removeFirst(dueStart)
                    dueStart = 0
                }
                return due[dueStart].deadline
            }
            dueStart += 1
        }
        due.removeAll(keepingCapacity: due.count < 1024)
        dueStart = 0
        return nil
    }

    private func closeSilent() {
        let now = ContinuousClock.now
        while let first = nextDue(), first <= now {
            let socket = due[dueStart].socket
            dueStart += 1
            unwatch(socket)
            held[socket] = nil
            close(socket)
            silentClosed += 1
            connectionClosed()
        }
    }

    /// Accepts what is waiting, up to a batch and within the limit.
    private func acceptPending() {
        for _ in 0..<64 {
            guard hasRoom() else { return }
            var peer = Peer()
            let client = withUnsafeMutablePointer(to: &peer.address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { kubelite_accept_nonblocking(listener.descriptor, $0, &peer.length) }
            }
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED || errno == EPROTO { continue }
                // EAGAIN: nothing more waiting. Out of descriptors (EMFILE, ENFILE) or memory: the
                // socket stays readable, so leave it until something closes (the next round).
                return
            }
            lock.lock(); admitted += 1; lock.unlock()
            guard let firstBytesTimeout else { handOver(client, peer); continue }
            let deadline = ContinuousClock.now + .milliseconds(Int64(firstBytesTimeout * 1000))
            held[client] = (deadline, peer)
            due.append((client, deadline))
            watch(client, EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
        }
    }

    /// Gives an admitted connection to libmicrohttpd, which closes a socket it refuses (the accept
    /// policy) itself. Counted before: the worker may take it and see it close at once.
    private func handOver(_ socket: Int32, _ peer: Peer) {
        var peer = peer
        let taken = withUnsafePointer(to: &peer.address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { MHD_add_connection(daemon, socket, $0, peer.length) }
        }
        if taken != MHD_Result.YES { connectionClosed() }
    }

    private func watch(_ socket: Int32, _ events: UInt32) {
        var event = epoll_event(events: events, data: epoll_data_t(fd: socket))
        _ = epoll_ctl(poller, EPOLL_CTL_ADD, socket, &event)
    }

    private func unwatch(_ socket: Int32) {
        _ = epoll_ctl(poller, EPOLL_CTL_DEL, socket, nil)
    }
}
