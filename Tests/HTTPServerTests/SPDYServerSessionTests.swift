@testable import HTTPServer
import Foundation
import Synchronization
import XCTest

/// The server side of a SPDY session fed kubectl's recorded frames: every accepted stream gets a
/// SYN_REPLY (empty headers, compressed on the session's one zlib stream) before its data is
/// handed on; refused streams get RST_STREAM and no reply; PINGs are echoed.
final class SPDYServerSessionTests: XCTestCase {
    final class Recorder: SPDYSessionDelegate, @unchecked Sendable {
        let lock = NSLock()
        var events: [String] = []
        var refuse: Set<UInt32> = []
        func record(_ event: String) { lock.lock(); events.append(event); lock.unlock() }
        func streamRefusal(_ session: SPDYServerSession, id: UInt32, headers: SPDYHeaderBlock) -> String? {
            refuse.contains(id) ? "refused" : nil
        }
        func streamOpened(_ session: SPDYServerSession, id: UInt32, headers: SPDYHeaderBlock) {
            record("open \(id) \(headers.value("streamtype") ?? "")")
        }
        func streamData(_ session: SPDYServerSession, id: UInt32, payload: [UInt8]) { record("data \(id) \(payload.count)") }
        func streamFinished(_ session: SPDYServerSession, id: UInt32) { record("fin \(id)") }
        func streamReset(_ session: SPDYServerSession, id: UInt32) { record("reset \(id)") }
    }

    final class Wire: @unchecked Sendable {
        let lock = NSLock()
        var bytes: [UInt8] = []
        func append(_ b: [UInt8]) { lock.lock(); bytes += b; lock.unlock() }
        func frames() throws -> [SPDYFrame] {
            var parser = SPDYFrameParser()
            parser.append(bytes)
            var out: [SPDYFrame] = []
            while let f = try parser.next() { out.append(f) }
            return out
        }
    }

    func testRepliesToEachStreamBeforeHandingItOn() throws {
        let recorder = Recorder(), wire = Wire()
        let session = SPDYServerSession(delegate: recorder) { wire.append($0) }
        for message in SPDYFrameTests.recorded { XCTAssertTrue(try session.receive(message)) }
        XCTAssertEqual(recorder.events, [
            "open 1 error", "fin 1", "open 3 data", "data 3 14", "fin 3",
            "open 5 error", "fin 5", "open 7 data", "data 7 14", "fin 7",
        ])
        let decompressor = SPDYHeaderDecompressor()
        var replied: [UInt32] = []
        for frame in try wire.frames() {
            guard case .synReply(let id, let flags, let block) = frame else { return XCTFail("unexpected \(frame)") }
            XCTAssertEqual(flags, 0)
            XCTAssertEqual(try SPDYHeaderBlock.decode(try decompressor.decompress(block)), SPDYHeaderBlock())
            replied.append(id)
        }
        XCTAssertEqual(replied, [1, 3, 5, 7])
    }

    func testRefusedStreamsAreResetWithoutReplyAndPingsAreEchoed() throws {
        let recorder = Recorder(), wire = Wire()
        recorder.refuse = [1]
        let session = SPDYServerSession(delegate: recorder) { wire.append($0) }
        for message in SPDYFrameTests.recorded.prefix(8) { try session.receive(message) }
        try session.receive(SPDYFrame.ping(id: 1).encoded())
        try session.receive(SPDYFrame.ping(id: 2).encoded())
        XCTAssertEqual(try wire.frames(), [.rstStream(streamID: 1, status: SPDYFrame.ResetStatus.cancel.rawValue), .ping(id: 1)])
        XCTAssertEqual(recorder.events, [])
    }

    func testDataIsCutIntoFramesAndFinEndsTheStream() throws {
        let wire = Wire()
        let session = SPDYServerSession(delegate: Recorder()) { wire.append($0) }
        session.sendData(3, Array(repeating: 1, count: SPDYServerSession.dataChunk + 10), fin: true)
        session.finish(1)
        let frames = try wire.frames()
        XCTAssertEqual(frames.count, 3)
        XCTAssertEqual(frames[0], .data(streamID: 3, flags: 0, payload: Array(repeating: 1, count: SPDYServerSession.dataChunk)))
        XCTAssertEqual(frames[1], .data(streamID: 3, flags: SPDYFrame.flagFin, payload: Array(repeating: 1, count: 10)))
        XCTAssertEqual(frames[2], .data(streamID: 1, flags: SPDYFrame.flagFin, payload: []))
    }

    func testADataFramesHeadAndPayloadReachTheTransportApart() throws {
        // A relay hands on a slice of its read buffer; the session adds only the 8-byte header.
        let parts = Mutex<[([UInt8], [UInt8])]>([])
        let session = SPDYServerSession(delegate: Recorder()) { head, payload in parts.withLock { $0.append((head, Array(payload))) } }
        let buffer = [UInt8](repeating: 5, count: 100) + [UInt8](repeating: 6, count: SPDYServerSession.dataChunk + 3)
        session.sendData(7, buffer[100...], fin: true)
        let sent = parts.withLock { $0 }
        XCTAssertEqual(sent.map(\.0), [SPDYFrame.dataHeader(streamID: 7, flags: 0, length: SPDYServerSession.dataChunk),
                                      SPDYFrame.dataHeader(streamID: 7, flags: SPDYFrame.flagFin, length: 3)])
        XCTAssertEqual(sent.map(\.1), [[UInt8](repeating: 6, count: SPDYServerSession.dataChunk), [6, 6, 6]])
        var parser = SPDYFrameParser()
        parser.append(sent.flatMap { $0.0 + $0.1 })
        XCTAssertEqual(try parser.next(), .data(streamID: 7, flags: 0, payload: [UInt8](repeating: 6, count: SPDYServerSession.dataChunk)))
        XCTAssertEqual(try parser.next(), .data(streamID: 7, flags: SPDYFrame.flagFin, payload: [6, 6, 6]))
    }

    func testGoAwayEndsTheSessionAndViolationsAnswerProtocolError() throws {
        let wire = Wire()
        let session = SPDYServerSession(delegate: Recorder()) { wire.append($0) }
        XCTAssertFalse(try session.receive(SPDYFrame.goAway(lastGoodStreamID: 0, status: 0).encoded()))

        let broken = Wire()
        let other = SPDYServerSession(delegate: Recorder()) { broken.append($0) }
        XCTAssertThrowsError(try other.receive([0x80, 3, 0, 99, 0, 0, 0, 0]))
        XCTAssertEqual(try broken.frames(), [.goAway(lastGoodStreamID: 0, status: 1)])
        other.sendData(1, [1])
        XCTAssertEqual(try broken.frames().count, 1, "nothing is sent after GOAWAY")
    }
}
