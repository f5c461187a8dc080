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

/// Notices clients that hang up on suspended connections. libmicrohttpd does not poll a suspended
/// connection's socket, so a watch whose client has gone would hold its descriptor and its watcher
/// until the next event or bookmark resumed it, maybe for minutes: enough idle watches abandoned
/// by clients exhaust the descriptors. This one thread waits in its own epoll for the peer's
/// close (EPOLLRDHUP, EPOLLHUP, EPOLLERR) on every suspended stream's socket and reports it once.
///
/// Contract: a socket is watched only while its connection is suspended (libmicrohttpd never
/// closes a suspended connection, so the descriptor stays valid), and `unwatch` is called before
/// the connection is resumed. Callbacks run on the monitor's thread with no lock of its held.
final class ClientHangupMonitor: @unchecked Sendable {
    private let epoll: Int32
    /// Written to stop the thread.
    private let stopEvent: Int32
    private let lock = NSLock()
    private var watched: [UInt64: (socket: Int32, observer: any HangupObserver)] = [:]
    private var nextToken: UInt64 = 1
    private let finished = DispatchSemaphore(value: 0)

    init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        stopEvent = eventfd(0, Int32(EFD_CLOEXEC))
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = 0
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, stopEvent, &event)
        let thread = Thread { [self] in run() }
        thread.name = "kubelite-hangups"
        thread.start()
    }

    /// Sockets watched now.
    var count: Int {
        lock.lock(); defer { lock.unlock() }
        return watched.count
    }

    /// Starts watching `socket`; nil if it cannot be watched (the stream then ends at its next event).
    func watch(_ socket: Int32, observer: any HangupObserver) -> UInt64? {
        lock.lock(); defer { lock.unlock() }
        let token = nextToken
        nextToken += 1
        var event = epoll_event()
        event.events = EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue
        event.data.u64 = token
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) == 0 else { return nil }
        watched[token] = (socket, observer)
        return token
    }

    /// Stops watching; a hangup not yet reported is then never reported.
    func unwatch(_ token: UInt64) {
        lock.lock(); defer { lock.unlock() }
        if let entry = watched.removeValue(forKey: token) {
            _ = epoll_ctl(epoll, EPOLL_CTL_DEL, entry.socket, nil)
        }
    }

    /// Ends the thread and closes the epoll; every connection must have been resumed before.
    func stop() {
        var one: UInt64 = 1
        _ = write(stopEvent, &one, MemoryLayout<UInt64>.size)
        finished.wait()
        close(epoll)
        close(stopEvent)
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let n = epoll_wait(epoll, &events, Int32(events.count), -1)
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { break }
            var hungUp: [any HangupObserver] = []
            var stopping = false
            lock.lock()
            for event in events.prefix(Int(n)) {
                let token = event.data.u64
                if token == 0 { stopping = true; continue }
                // Removed here, under the lock, so the socket (whose connection is still suspended)
                // is still open when it leaves the epoll, and the hangup is reported once.
                if let entry = watched.removeValue(forKey: token) {
                    _ = epoll_ctl(epoll, EPOLL_CTL_DEL, entry.socket, nil)
                    hungUp.append(entry.observer)
                }
            }
            lock.unlock()
            for observer in hungUp { observer.clientHungUp() }
            if stopping { break }
        }
        finished.signal()
    }
}
