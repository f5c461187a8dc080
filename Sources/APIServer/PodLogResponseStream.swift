import Foundation
import HTTPServer
import Registry

/// A container log as a chunked `text/plain` response: the node's log stream pushes chunks, the
/// HTTP server pulls them and sleeps (suspended connection) while none are waiting. A slow reader
/// holds the producer back once `maxBuffered` bytes wait, so a following log never grows without
/// bound; a client that goes away cancels the log stream.
final class PodLogResponseStream: ResponseStream, @unchecked Sendable {
    private let log: any PodLogStream
    private let lock = NSCondition()
    private var chunks: [[UInt8]] = []
    private var head = 0
    private var buffered = 0
    private var ended = false
    private var closed = false
    private var wake: (@Sendable () -> Void)?
    static let maxBuffered = 1 << 20

    init(_ log: any PodLogStream) { self.log = log }

    func attach(wake: @escaping @Sendable () -> Void) {
        lock.lock(); self.wake = wake; lock.unlock()
        log.start(chunk: { [self] bytes in push(bytes) }, end: { [self] in finish() })
    }

    private func push(_ bytes: [UInt8]) -> Bool {
        lock.lock()
        while buffered >= Self.maxBuffered, !closed { lock.wait() }
        if closed { lock.unlock(); return false }
        if !bytes.isEmpty {
            chunks.append(bytes)
            buffered += bytes.count
        }
        let wake = self.wake
        lock.unlock()
        wake?()
        return true
    }

    private func finish() {
        lock.lock()
        ended = true
        let wake = self.wake
        lock.unlock()
        wake?()
    }

    func read(max: Int) -> StreamRead {
        lock.lock(); defer { lock.unlock() }
        guard head < chunks.count else {
            if ended { return .end }
            return .pending
        }
        var chunk = chunks[head]
        if chunk.count > max {
            chunks[head] = Array(chunk[max...])
            chunk = Array(chunk[..<max])
        } else {
            head += 1
            if head == chunks.count { chunks.removeAll(keepingCapacity: true); head = 0 }
        }
        buffered -= chunk.count
        lock.broadcast()
        return .data(chunk)
    }

    func close() {
        lock.lock()
        let wasOpen = !closed && !ended
        closed = true
        lock.broadcast()
        lock.unlock()
        if wasOpen { log.cancel() }
    }
}
