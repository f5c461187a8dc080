@testable import APIServer
import Foundation
import Registry
import XCTest

/// The relay of one forwarded connection, on a socket pair standing for the pod's port: bytes both
/// ways, the client's end of input as a half-close, the pod's end followed by the one-second grace
/// (containerd's), a cancel ending at once, and a failed dial reported.
final class PortForwardRelayTests: XCTestCase {
    final class Sink: @unchecked Sendable {
        let lock = NSCondition()
        var bytes: [UInt8] = []
        var done: PortForwardFailure?? = nil
        var doneAt: Date?
        func add(_ b: [UInt8]) { lock.lock(); bytes += b; lock.broadcast(); lock.unlock() }
        func finish(_ f: PortForwardFailure?) { lock.lock(); done = .some(f); doneAt = Date(); lock.broadcast(); lock.unlock() }
        func wait(_ what: String, timeout: TimeInterval = 5, _ condition: () -> Bool) {
            let deadline = Date().addingTimeInterval(timeout)
            lock.lock(); defer { lock.unlock() }
            while !condition() { if !lock.wait(until: deadline) { XCTFail("timed out waiting for \(what)"); return } }
        }
    }

    /// (relay, the pod's end of the socket pair, sink)
    func relay() -> (PortForwardRelay, Int32, Sink) {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        let sink = Sink()
        let ours = fds[0]
        let relay = PortForwardRelay(dial: { () throws(PortForwardFailure) in ours }, output: { sink.add(Array($0)) }, done: { sink.finish($0) })
        relay.start()
        return (relay, fds[1], sink)
    }

    func read(_ fd: Int32) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? Array(buffer[0..<n]) : []
    }

    func testBytesBothWaysAndTheClientsEndIsAHalfClose() {
        let (relay, pod, sink) = relay()
        defer { close(pod) }
        relay.write(Array("ping".utf8))
        XCTAssertEqual(read(pod), Array("ping".utf8))
        _ = Array("pong".utf8).withUnsafeBytes { send(pod, $0.baseAddress, $0.count, 0) }
        sink.wait("pong") { sink.bytes == Array("pong".utf8) }
        relay.clientFinished()
        XCTAssertEqual(read(pod), [], "the pod reads end of input")
        // The pod may still answer after the client's end; then it closes and the relay is done.
        _ = Array("late".utf8).withUnsafeBytes { send(pod, $0.baseAddress, $0.count, 0) }
        shutdown(pod, Int32(SHUT_WR))
        sink.wait("done") { sink.done != nil }
        XCTAssertEqual(sink.bytes, Array("ponglate".utf8))
        XCTAssertEqual(sink.done, .some(nil))
    }

    func testThePodsEndGivesTheClientASecond() {
        let (_, pod, sink) = relay()
        let closed = Date()
        close(pod)
        sink.wait("done") { sink.done != nil }
        let waited = sink.doneAt!.timeIntervalSince(closed)
        XCTAssertGreaterThan(waited, PortForwardRelay.grace * 0.8)
        XCTAssertLessThan(waited, PortForwardRelay.grace + 2)
    }

    func testCancelEndsAtOnce() {
        let (relay, pod, sink) = relay()
        defer { close(pod) }
        let cancelled = Date()
        relay.cancel()
        sink.wait("done") { sink.done != nil }
        XCTAssertLessThan(sink.doneAt!.timeIntervalSince(cancelled), 0.5)
    }

    func testAFailedDialIsReported() {
        let sink = Sink()
        let relay = PortForwardRelay(dial: { () throws(PortForwardFailure) in throw PortForwardFailure("connect: connection refused") },
                                     output: { sink.add(Array($0)) }, done: { sink.finish($0) })
        relay.write(Array("early".utf8))
        relay.start()
        sink.wait("done") { sink.done != nil }
        XCTAssertEqual(sink.done, .some(PortForwardFailure("connect: connection refused")))
    }
}
