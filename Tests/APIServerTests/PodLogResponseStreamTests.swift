@testable import APIServer
import HTTPServer
import KubeliteTesting
import Registry
import Synchronization
import XCTest

/// The log response's buffer between the node's producer and the HTTP server's reads: a reader
/// that does not keep up holds the producer back, and a reader that leaves stops it.
final class PodLogResponseStreamTests: XCTestCase {
    /// Pushes `chunks` chunks of 64 KiB from its own thread, counting what the stream accepted.
    final class FloodingLog: PodLogStream, @unchecked Sendable {
        let chunks: Int
        let accepted = Mutex(0)
        let ended = Mutex(false)
        let cancelled = Mutex(false)
        init(chunks: Int) { self.chunks = chunks }
        func start(chunk: @escaping @Sendable ([UInt8]) -> Bool, end: @escaping @Sendable () -> Void) {
            Thread { [self] in
                for _ in 0..<chunks {
                    guard chunk([UInt8](repeating: 0x61, count: 64 << 10)) else { break }
                    accepted.withLock { $0 += 1 }
                }
                ended.withLock { $0 = true }
                end()
            }.start()
        }
        func cancel() { cancelled.withLock { $0 = true } }
    }

    func testASlowReaderHoldsTheProducerBackThenGetsEverything() {
        let log = FloodingLog(chunks: 64)  // 4 MiB, four times the buffer
        let stream = PodLogResponseStream(log)
        stream.attach(wake: {})
        let limit = PodLogResponseStream.maxBuffered / (64 << 10)
        waitUntil("the buffer filled") { log.accepted.withLock { $0 } >= limit }
        XCTAssertLessThanOrEqual(log.accepted.withLock { $0 }, limit + 1, "the producer waits while 1 MiB is unread")
        var total = 0
        waitUntil("everything was read", timeout: 20) {
            while case .data(let bytes) = stream.read(max: 16 << 10) { total += bytes.count }
            return log.ended.withLock { $0 } && stream.read(max: 1).isEnd
        }
        XCTAssertEqual(total, 64 * (64 << 10))
        XCTAssertFalse(log.cancelled.withLock { $0 }, "a log read to its end is not cancelled")
    }

    func testAReaderLeavingStopsABlockedProducer() {
        let log = FloodingLog(chunks: 64)
        let stream = PodLogResponseStream(log)
        stream.attach(wake: {})
        waitUntil("the buffer filled") { log.accepted.withLock { $0 } >= PodLogResponseStream.maxBuffered / (64 << 10) }
        stream.close()
        waitUntil("the producer stopped") { log.ended.withLock { $0 } }
        XCTAssertLessThan(log.accepted.withLock { $0 }, 64)
        XCTAssertTrue(log.cancelled.withLock { $0 })
    }
}

private extension StreamRead {
    var isEnd: Bool { if case .end = self { return true } else { return false } }
}
