import CMicroHTTPD
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Told when its client has hung up; held strongly while watched (`unwatch` always comes before the
/// connection, and so its observer, goes away), so no closure or weak reference is allocated per watch.
protocol HangupObserver: AnyObject, Sendable {
    func clientHungUp()
}

/// Notices clients that hang up on stream connections. libmicrohttpd does not poll a suspended
/// connection's socket, so a watch whose client has gone would hold its descriptor and its watcher
/// until the next event or bookmark resumed it, maybe for minutes: enough idle watches abandoned
/// by clients exhaust the descriptors. This thread polls every watched socket for the peer's close
/// (POLLRDHUP, POLLHUP, POLLERR) every `interval` with one non-blocking `poll(2)`, and reports each
/// hangup once.
///
/// Polling rather than a standing epoll registration: an epoll entry on each of 10,000 watch sockets
/// is called by the kernel on every packet they send or acknowledge, which measurably slowed the
/// fan-out of one event to them all; a zero-timeout poll of 10,000 sockets costs about a millisecond.
///
/// Contract: a socket is unwatched before its descriptor is closed (a stream's response is freed,
/// and with it the watch, before libmicrohttpd closes the connection's socket); the poll runs under
/// the lock, so it never sees a closed or reused descriptor. Observers are told on the monitor's
/// thread with no lock of its held.
final class ClientHangupMonitor: @unchecked Sendable {
    /// How often watched sockets are polled: the longest a hung-up watch keeps its descriptor.
    static let interval: Int32 = 100  // milliseconds
    /// Written to stop the thread.
    private let stopEvent: Int32
    private let lock = NSLock()
    private var watched: [UInt64: (socket: Int32, observer: any HangupObserver)] = [:]
    private var nextToken: UInt64 = 1
    private let finished = DispatchSemaphore(value: 0)

    init() {
        stopEvent = eventfd(0, Int32(EFD_CLOEXEC))
        let thread = Thread { [self] in run() }
        thread.name = "kubelite-hangups"
        thread.start()
    }

    /// Sockets watched now.
    var count: Int {
        lock.lock(); defer { lock.unlock() }
        return watched.count
    }

    /// Starts watching `socket`.
    func watch(_ socket: Int32, observer: any HangupObserver) -> UInt64 {
        lock.lock(); defer { lock.unlock() }
        let token = nextToken
        nextToken += 1
        watched[token] = (socket, observer)
        return token
    }

    /// Stops watching; a hangup not yet reported is then never reported.
    func unwatch(_ token: UInt64) {
        lock.lock(); defer { lock.unlock() }
        watched[token] = nil
    }

    /// Ends the thread; every stream must have ended before.
    func stop() {
        var one: UInt64 = 1
        _ = write(stopEvent, &one, MemoryLayout<UInt64>.size)
        finished.wait()
        close(stopEvent)
    }

    private func run() {
        var stop = pollfd(fd: stopEvent, events: Int16(POLLIN), revents: 0)
        var sockets: [pollfd] = []
        var tokens: [UInt64] = []
        // POLLRDHUP (the peer closed its side) needs _GNU_SOURCE, which Swift's Glibc does not define.
        let events = Int16(0x2000) | Int16(POLLHUP) | Int16(POLLERR)
        while poll(&stop, 1, Self.interval) <= 0 {
            var hungUp: [any HangupObserver] = []
            lock.lock()
            if !watched.isEmpty {
                sockets.removeAll(keepingCapacity: true)
                tokens.removeAll(keepingCapacity: true)
                for (token, entry) in watched {
                    sockets.append(pollfd(fd: entry.socket, events: events, revents: 0))
                    tokens.append(token)
                }
                if poll(&sockets, nfds_t(sockets.count), 0) > 0 {
                    for (index, socket) in sockets.enumerated() where socket.revents != 0 {
                        if let entry = watched.removeValue(forKey: tokens[index]) { hungUp.append(entry.observer) }
                    }
                }
            }
            lock.unlock()
            for observer in hungUp { observer.clientHungUp() }
        }
        finished.signal()
    }
}
