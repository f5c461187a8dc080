import Foundation
import HTTPServer

/// Wraps a watch's response stream so the request log gets its line when the watch ends, as
/// httplog writes a watch's line when its handler returns: the latency is then the watch's whole
/// duration. Events are counted as they leave (each is one JSON line). It passes everything
/// through; the stream's owner (the watch machinery) is untouched.
final class LoggedWatchStream: ResponseStream, @unchecked Sendable {
    private let inner: ResponseStream
    private let lock = NSLock()
    private var events = 0
    private var logged = false
    private let started: ContinuousClock.Instant
    private let entry: RequestLog.Entry
    private let log: RequestLog
    /// Called once when the watch ends, with its duration (the request metrics).
    private let ended: @Sendable (Duration) -> Void

    init(_ inner: ResponseStream, entry: RequestLog.Entry, started: ContinuousClock.Instant, log: RequestLog,
         ended: @escaping @Sendable (Duration) -> Void = { _ in }) {
        self.inner = inner; self.entry = entry; self.started = started; self.log = log; self.ended = ended
    }

    func attach(wake: @escaping @Sendable () -> Void) { inner.attach(wake: wake) }

    func read(max: Int) -> StreamRead {
        let result = inner.read(max: max)
        switch result {
        case .data(let bytes):
            let lines = bytes.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            lock.lock(); events += lines; lock.unlock()
        case .end:
            finish()
        case .pending:
            break
        }
        return result
    }

    /// The connection is over (the client went away, or the server finished sending): libmicrohttpd
    /// always closes the stream then, so every watch is logged once.
    func close() {
        inner.close()
        finish()
    }

    private func finish() {
        lock.lock()
        if logged { lock.unlock(); return }
        logged = true
        var entry = self.entry
        entry.latency = ContinuousClock.now - started
        entry.watchEvents = events
        lock.unlock()
        log.record(entry)
        ended(entry.latency)
    }
}
