import Foundation
@testable import HTTPServer
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The hangup monitor's watch list over real socket pairs: removal by token keeps the other entries
/// (slots are refilled from the end), and a poll reports exactly the sockets whose peer closed.
final class HangupWatchListTests: XCTestCase {
    final class Observer: HangupObserver, @unchecked Sendable {
        let name: String
        init(_ name: String) { self.name = name }
        func clientHungUp() {}
    }

    /// Socket pairs: `.0` is watched, closing `.1` is the client hanging up.
    var pairs: [(Int32, Int32)] = []

    override func tearDown() {
        for (a, b) in pairs { close(a); if b >= 0 { close(b) } }
        pairs = []
    }

    func makePair() -> Int {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        pairs.append((fds[0], fds[1]))
        return pairs.count - 1
    }

    func hangUp(_ index: Int) {
        close(pairs[index].1)
        pairs[index].1 = -1
    }

    func testPollReportsOnlyHungUpSocketsAndForgetsThem() {
        var list = HangupWatchList()
        var tokens: [UInt64] = []
        for i in 0..<6 {
            let pair = makePair()
            tokens.append(list.add(pairs[pair].0, observer: Observer("w\(i)")))
        }
        XCTAssertEqual(Set(tokens).count, 6)
        XCTAssertTrue(list.pollHangups().isEmpty)
        hangUp(1)
        hangUp(5)  // the last slot
        let hungUp = list.pollHangups().map { ($0 as! Observer).name }
        XCTAssertEqual(Set(hungUp), ["w1", "w5"])
        XCTAssertEqual(list.count, 4)
        XCTAssertTrue(list.pollHangups().isEmpty, "each hangup is reported once")
        XCTAssertEqual(Set(list.sockets.map(\.fd)), Set([0, 2, 3, 4].map { pairs[$0].0 }))
    }

    func testRemoveRefillsTheSlotAndKeepsTokensValid() {
        var list = HangupWatchList()
        var tokens: [UInt64] = []
        for i in 0..<4 {
            let pair = makePair()
            tokens.append(list.add(pairs[pair].0, observer: Observer("w\(i)")))
        }
        list.remove(tokens[0])  // the last entry moves into slot 0
        list.remove(tokens[0])  // unknown now: ignored
        XCTAssertEqual(list.count, 3)
        list.remove(tokens[3])  // the entry that moved
        XCTAssertEqual(list.count, 2)
        XCTAssertEqual(Set(list.sockets.map(\.fd)), [pairs[1].0, pairs[2].0])
        hangUp(2)
        XCTAssertEqual(list.pollHangups().map { ($0 as! Observer).name }, ["w2"])
        list.remove(tokens[1])
        XCTAssertEqual(list.count, 0)
        XCTAssertTrue(list.pollHangups().isEmpty)
    }
}

/// The monitor's pause between passes: its interval while passes are cheap, longer when they are not.
final class ClientHangupMonitorPauseTests: XCTestCase {
    func testPauseIsTheIntervalWhilePassesAreCheap() {
        XCTAssertEqual(ClientHangupMonitor.pause(after: .microseconds(50)), ClientHangupMonitor.interval)
        XCTAssertEqual(ClientHangupMonitor.pause(after: .milliseconds(5)), ClientHangupMonitor.interval)
    }

    func testPauseGrowsSoPollingKeepsToItsShareOfACore() {
        XCTAssertEqual(ClientHangupMonitor.pause(after: .milliseconds(10)), 200)
        XCTAssertEqual(ClientHangupMonitor.pause(after: .seconds(5)), 10_000, "never more than 10 s")
    }
}
