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
    /// Every request's first call forgets its connection: the table is split so that libmicrohttpd's
    /// worker threads seldom meet on one lock (with one shared lock a GET measured about 5% more server
    /// CPU, 9.1 µs against 8.7, on 2 busy cores; with the shards no difference showed).
    private let shards = (0..<16).map { _ in Shard() }
    private var timer: DispatchSourceTimer?

    /// Connections whose first head is not complete yet, by connection, under its own lock.
    private final class Shard: @unchecked Sendable {
        let lock = NSLock()
        var waiting: [Int: (socket: Int32, deadline: Date)] = [:]
        var cut = 0
    }

    /// Connections cut so far.
    var connectionsCut: Int {
        shards.reduce(0) { total, shard in
            shard.lock.lock(); defer { shard.lock.unlock() }
            return total + shard.cut
        }
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

    private func shard(_ connection: OpaquePointer) -> Shard {
        // Connections are heap blocks: the low bits carry no information.
        shards[(Int(bitPattern: connection) >> 8) & (shards.count - 1)]
    }

    func connectionStarted(_ connection: OpaquePointer) {
        let socket = kubelite_connection_socket(connection)
        guard socket >= 0 else { return }
        let shard = shard(connection)
        shard.lock.lock(); defer { shard.lock.unlock() }
        shard.waiting[Int(bitPattern: connection)] = (socket, Date().addingTimeInterval(timeout))
    }

    /// A head is complete, or the connection closed: no deadline any more (a no-op after the first).
    func forget(_ connection: OpaquePointer) {
        let shard = shard(connection)
        shard.lock.lock(); defer { shard.lock.unlock() }
        guard shard.waiting.removeValue(forKey: Int(bitPattern: connection)) != nil else { return }
        // A dictionary keeps its largest capacity: after a burst of connections (10,000 watches) that
        // would stay resident for nothing.
        if shard.waiting.isEmpty, shard.waiting.capacity > 256 { shard.waiting = [:] }
    }

    private func sweep() {
        let now = Date()
        for shard in shards {
            shard.lock.lock()
            for (key, entry) in shard.waiting where entry.deadline <= now {
                shard.cut += 1
                shard.waiting[key] = nil
                _ = shutdown(entry.socket, Int32(SHUT_RDWR))
            }
            shard.lock.unlock()
        }
    }
}
