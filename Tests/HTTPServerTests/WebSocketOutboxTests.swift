@testable import HTTPServer
import Foundation
import Synchronization
import XCTest

/// The connection's write side on a socket pair standing for the peer: a message of a head and a
/// body is one frame; a sender does not wait while another's write is blocked (its frame joins
/// the outbox and goes out after, whole); concurrent senders' frames arrive whole and each
/// sender's in order; a raw connection's close ends its output after what was queued.
final class WebSocketOutboxTests: XCTestCase {
    final class NoHandler: WebSocketHandler, @unchecked Sendable {
        func opened(_ connection: WebSocketConnection) {}
        func received(_ connection: WebSocketConnection, binary: Bool, payload: [UInt8]) {}
        func closed(_ connection: WebSocketConnection) {}
    }

    /// (connection writing on one end, the peer's end)
    func pair(raw: Bool = false, sendBuffer: Int32? = nil) -> (WebSocketConnection, Int32) {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        if var size = sendBuffer {
            setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        // A peer's read that gets nothing ends the test's wait instead of hanging it.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fds[1], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connection = WebSocketConnection(socket: fds[0], leftover: [], subprotocol: nil, handler: NoHandler(), raw: raw,
                                             release: {})
        addTeardownBlock { close(fds[0]); close(fds[1]) }
        return (connection, fds[1])
    }

    /// Reads until `count` bytes have come (or end of stream, or 5 s without a byte).
    static func read(_ fd: Int32, count: Int) -> [UInt8] {
        var out: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 64 << 10)
        while out.count < count {
            let n = recv(fd, &buffer, min(buffer.count, count - out.count), 0)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    /// Server frames are unmasked: (opcode, payload) of each.
    func frames(_ bytes: [UInt8]) -> [(UInt8, [UInt8])] {
        var out: [(UInt8, [UInt8])] = [], i = 0
        while i + 2 <= bytes.count {
            var length = Int(bytes[i + 1] & 0x7F), header = 2
            if length == 126 { length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]); header = 4 }
            if length == 127 { length = (2..<10).reduce(0) { $0 << 8 | Int(bytes[i + $1]) }; header = 10 }
            guard i + header + length <= bytes.count else { XCTFail("a cut frame"); break }
            out.append((bytes[i] & 0x0F, Array(bytes[(i + header)..<(i + header + length)])))
            i += header + length
        }
        XCTAssertEqual(i, bytes.count, "bytes after the last whole frame")
        return out
    }

    func testAHeadAndABodyMakeOneMessage() {
        let (connection, peer) = pair()
        let buffer: [UInt8] = Array(0..<200)
        connection.send(binary: [9, 9], buffer[50..<180])
        let got = frames(Self.read(peer, count: 4 + 132))
        XCTAssertEqual(got.count, 1)
        XCTAssertEqual(got.first?.0, WebSocketFrame.Opcode.binary.rawValue)
        XCTAssertEqual(got.first?.1, [9, 9] + Array(50..<180))
    }

    func testASenderDoesNotWaitForAnotherSendersBlockedWrite() {
        let (connection, peer) = pair(sendBuffer: 4096)
        let big = [UInt8](repeating: 1, count: 512 << 10)
        let bigSent = expectation(description: "the big message written")
        Thread.detachNewThread { connection.send(binary: big); bigSent.fulfill() }
        // The peer reads nothing yet: the big write is stuck on a full socket buffer.
        Thread.sleep(forTimeInterval: 0.2)
        let started = Date()
        connection.send(binary: [2, 2, 2])
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.1, "a small send waited for the blocked writer")
        let got = frames(Self.read(peer, count: 10 + big.count + 2 + 3))
        wait(for: [bigSent], timeout: 5)
        XCTAssertEqual(got.map(\.1.count), [big.count, 3], "the big message, then the small one, each whole")
    }

    func testConcurrentSendersFramesArriveWholeAndInEachSendersOrder() {
        let (connection, peer) = pair(sendBuffer: 8192)
        let senders = 8, messages = 200
        var total = 0
        for s in 0..<senders { for m in 0..<messages { total += 2 + 2 + (s * 37 + m) % 100 } }
        let expected = total
        let received = Mutex<[UInt8]?>(nil)
        Thread.detachNewThread { let bytes = Self.read(peer, count: expected); received.withLock { $0 = bytes } }
        DispatchQueue.concurrentPerform(iterations: senders) { s in
            for m in 0..<messages {
                connection.send(binary: [UInt8(s), UInt8(m)], ArraySlice(repeating: UInt8(s), count: (s * 37 + m) % 100))
            }
        }
        let deadline = Date().addingTimeInterval(10)
        while received.withLock({ $0 == nil }), Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        var next = [Int](repeating: 0, count: senders)
        for (_, payload) in frames(received.withLock { $0 } ?? []) {
            let s = Int(payload[0])
            XCTAssertEqual(Int(payload[1]), next[s] % 256, "sender \(s)'s messages out of order")
            XCTAssertEqual(payload.count - 2, (s * 37 + next[s]) % 100)
            XCTAssertTrue(payload.dropFirst(2).allSatisfy { $0 == UInt8(s) })
            next[s] += 1
        }
        XCTAssertEqual(next, [Int](repeating: messages, count: senders))
    }

    func testARawCloseEndsOutputAfterWhatWasQueued() {
        let (connection, peer) = pair(raw: true)
        connection.send(binary: [1, 2, 3])
        connection.close()
        connection.send(binary: [4])
        XCTAssertEqual(Self.read(peer, count: 100), [1, 2, 3], "the queued bytes, then end of stream; nothing after the close")
    }
}
