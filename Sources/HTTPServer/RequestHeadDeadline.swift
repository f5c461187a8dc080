import CMicroHTTPD
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deadline for a new connection's first request head, as kube-apiserver's `ReadHeaderTimeout`
/// (32 s). libmicrohttpd's own timer measures inactivity only, so a client dripping one header byte
/// every few seconds would hold its connection for ever (slowloris); this one counts from the
/// connection's start and is not reset by traffic.
///
/// libmicrohttpd cannot be asked to close a connection from outside its callbacks, so a late
/// connection's socket is shut down (`shutdown(2)`, never `close`): libmicrohttpd then reads end of
/// stream and closes it itself. A socket is only touched while its connection is in `waiting`, and
/// libmicrohttpd's close notification, which removes it under the same lock, comes before it closes
/// the descriptor, so a descriptor number reused by a newer connection is never shut down.
final class RequestHeadDeadline: @unchecked Sendable {
    let timeout: TimeInterval
    private let lock = NSLock()
    private var waiting: [Int: (socket: Int32, deadline: Date)] = [:]
    private var timer: DispatchSourceTimer?
    private var cut = 0

    /// Connections cut so far.
    var connectionsCut: Int {
        lock.lock(); defer { lock.unlock() }
        return cut
    }

    init(timeout: TimeInterval) {
        self.timeout = timeout
    }

    /// Starts the sweep: late heads are cut within a quarter of the timeout (a second at most).
    func start() {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        let period = min(1, timeout / 4)
        timer.schedule(deadline: .now() + period, repeating: period)
        timer.setEventHandler { [weak self] in self?.sweep() }
        timer.resume()
        self.timer = timer
    }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    func connectionStarted(_ connection: OpaquePointer) {
        let socket = kubelite_connection_socket(connection)
        guard socket >= 0 else { return }
        lock.lock(); defer { lock.unlock() }
        waiting[Int(bitPattern: connection)] = (socket, Date().addingTimeInterval(timeout))
    }

    /// A head is complete, or the connection closed: no deadline any more (a no-op after the first).
    func forget(_ connection: OpaquePointer) {
        lock.lock(); defer { lock.unlock() }
        waiting[Int(bitPattern: connection)] = nil
        // A dictionary keeps its largest capacity: after a burst of connections (10,000 watches) that
        // would stay resident for nothing.
        if waiting.isEmpty, waiting.capacity > 1024 { waiting = [:] }
    }

    private func sweep() {
        let now = Date()
        lock.lock(); defer { lock.unlock() }
        for (key, entry) in waiting where entry.deadline <= now {
            cut += 1
            waiting[key] = nil
            _ = shutdown(entry.socket, Int32(SHUT_RDWR))
        }
    }
}
