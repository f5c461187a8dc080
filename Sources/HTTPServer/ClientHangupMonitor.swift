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
/// The poll runs over a `pollfd` array kept between passes (`HangupWatchList`): rebuilding it from a
/// table every pass, retaining each observer, cost several times the poll itself and took a fifth of
/// the server's CPU while an event went out to 10,000 watches.
///
/// Contract: a socket is unwatched before its descriptor is closed (a stream's response is freed,
/// and with it the watch, before libmicrohttpd closes the connection's socket); the poll runs under
/// the lock, so it never sees a closed or reused descriptor. Observers are told on the monitor's
/// thread with no lock of its held.
final class ClientHangupMonitor: @unchecked Sendable {
    /// How often watched sockets are polled: the longest a hung-up watch keeps its descriptor, unless
    /// so many are watched that a pass takes longer than `maxBusyShare` of this (see `pause(after:)`).
    static let interval: Int32 = 100  // milliseconds
    /// The most of one core the polling may take: a pass over 10,000 sockets measured 2 to 10 ms on
    /// two busy cores, a tenth of a core every 100 ms even with every watch idle.
    static let maxBusyShare = 0.05
    /// Written to stop the thread.
    private let stopEvent: Int32
    private let lock = NSLock()
    private var watched = HangupWatchList()
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
        return watched.add(socket, observer: observer)
    }

    /// Stops watching; a hangup not yet reported is then never reported.
    func unwatch(_ token: UInt64) {
        lock.lock(); defer { lock.unlock() }
        watched.remove(token)
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
        var wait = Self.interval
        while poll(&stop, 1, wait) <= 0 {
            let started = ContinuousClock.now
            lock.lock()
            let hungUp = watched.pollHangups()
            lock.unlock()
            wait = Self.pause(after: ContinuousClock.now - started)
            for observer in hungUp { observer.clientHungUp() }
        }
        finished.signal()
    }

    /// Milliseconds to wait before the next pass: `interval`, or longer when a pass took more than
    /// `maxBusyShare` of it, so the polling's share of a core stays bounded however many are watched.
    static func pause(after pass: Duration) -> Int32 {
        let passMilliseconds = Double(pass.components.seconds) * 1000 + Double(pass.components.attoseconds) / 1e15
        let bounded = passMilliseconds / maxBusyShare
        return bounded > Double(interval) ? Int32(min(bounded, 10_000)) : interval
    }
}

/// The sockets a `ClientHangupMonitor` watches, as the `pollfd` array `poll(2)` takes, kept from pass
/// to pass: adding and removing are O(1) (a removed slot is filled by the last one), and a pass costs
/// the poll alone, with no allocation and no reference counting per socket.
struct HangupWatchList {
    /// POLLRDHUP (the peer closed its side) needs _GNU_SOURCE, which Swift's Glibc does not define.
    static let events = Int16(0x2000) | Int16(POLLHUP) | Int16(POLLERR)
    private(set) var sockets: [pollfd] = []
    /// Parallel to `sockets`.
    private var observers: [any HangupObserver] = []
    private var tokens: [UInt64] = []
    /// Token to its slot in the arrays.
    private var slots: [UInt64: Int] = [:]
    private var nextToken: UInt64 = 1

    var count: Int { sockets.count }

    mutating func add(_ socket: Int32, observer: any HangupObserver) -> UInt64 {
        let token = nextToken
        nextToken += 1
        slots[token] = sockets.count
        sockets.append(pollfd(fd: socket, events: Self.events, revents: 0))
        observers.append(observer)
        tokens.append(token)
        return token
    }

    /// Removes the socket if still watched; an unknown token is ignored.
    mutating func remove(_ token: UInt64) {
        guard let slot = slots.removeValue(forKey: token) else { return }
        let last = sockets.count - 1
        if slot != last {
            sockets[slot] = sockets[last]
            observers[slot] = observers[last]
            tokens[slot] = tokens[last]
            slots[tokens[slot]] = slot
        }
        sockets.removeLast()
        observers.removeLast()
        tokens.removeLast()
    }

    /// One zero-timeout poll of every socket; those hung up are removed and their observers returned.
    mutating func pollHangups() -> [any HangupObserver] {
        guard !sockets.isEmpty else { return [] }
        let ready = sockets.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), 0) }
        guard ready > 0 else { return [] }
        var hungUp: [any HangupObserver] = []
        // Backwards, so a removal's filling of the slot from the end only moves an entry already seen.
        for slot in stride(from: sockets.count - 1, through: 0, by: -1) where sockets[slot].revents != 0 {
            hungUp.append(observers[slot])
            remove(tokens[slot])
        }
        return hungUp
    }
}
