@testable import HTTPServer
import XCTest

/// RFC 6455 framing and handshake values, checked against the RFC's own examples (§5.7, §1.3).
final class WebSocketFrameTests: XCTestCase {
    func testSHA1MatchesFIPSVectors() {
        func hex(_ s: String) -> String { SHA1.hash(Array(s.utf8)).map { String(format: "%02x", $0) }.joined() }
        XCTAssertEqual(hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    func testAcceptValueOfTheRFCSampleKey() {
        XCTAssertEqual(WebSocketUpgrade.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testParsesTheRFCMaskedHello() throws {
        var parser = WebSocketFrameParser()
        parser.append([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
        XCTAssertEqual(try parser.next(), WebSocketFrame(opcode: .text, payload: Array("Hello".utf8)))
        XCTAssertNil(try parser.next())
    }

    func testWaitsForPartialFramesAcrossReads() throws {
        var parser = WebSocketFrameParser()
        let bytes: [UInt8] = [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
        for byte in bytes.dropLast() {
            parser.append([byte])
            XCTAssertNil(try parser.next())
        }
        parser.append([bytes.last!])
        XCTAssertEqual(try parser.next()?.payload, Array("Hello".utf8))
    }

    func testRejectsUnmaskedClientFramesAndBadControlFrames() {
        var unmasked = WebSocketFrameParser()
        unmasked.append([0x81, 0x05] + Array("Hello".utf8))
        XCTAssertThrowsError(try unmasked.next()) { XCTAssertEqual(($0 as? WebSocketViolation)?.closeCode, 1002) }

        var fragmentedPing = WebSocketFrameParser()
        fragmentedPing.append([0x09, 0x80, 0, 0, 0, 0])
        XCTAssertThrowsError(try fragmentedPing.next()) { XCTAssertEqual(($0 as? WebSocketViolation)?.closeCode, 1002) }

        var reserved = WebSocketFrameParser()
        reserved.append([0xC1, 0x80, 0, 0, 0, 0])
        XCTAssertThrowsError(try reserved.next())

        var tooBig = WebSocketFrameParser(maxPayload: 100)
        tooBig.append([0x82, 0xFE, 0x01, 0x00])
        XCTAssertThrowsError(try tooBig.next()) { XCTAssertEqual(($0 as? WebSocketViolation)?.closeCode, 1009) }
    }

    func testEncodesTheThreeLengthForms() {
        XCTAssertEqual(WebSocketFrame(opcode: .text, payload: Array("Hello".utf8)).encoded(), [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
        XCTAssertEqual(Array(WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 7, count: 256)).encoded().prefix(4)),
                       [0x82, 0x7E, 0x01, 0x00])
        XCTAssertEqual(Array(WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 7, count: 65536)).encoded().prefix(10)),
                       [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0])
        XCTAssertEqual(WebSocketFrame.close(code: 1000).encoded(), [0x88, 0x02, 0x03, 0xE8])
    }

    func testParsesExtendedLengths() throws {
        for count in [126, 65535, 65536] {
            var parser = WebSocketFrameParser()
            parser.append(Self.masked(opcode: 0x2, [UInt8](repeating: 0xAB, count: count)))
            XCTAssertEqual(try parser.next()?.payload.count, count)
        }
    }

    func testReassemblesFragmentsAroundAPing() throws {
        var parser = WebSocketFrameParser()
        var assembler = WebSocketMessageAssembler()
        // §5.7: "Hel" then "lo", with a ping between the fragments.
        parser.append(Self.masked(opcode: 0x1, Array("Hel".utf8), fin: false))
        parser.append(Self.masked(opcode: 0x9, Array("ping".utf8)))
        parser.append(Self.masked(opcode: 0x0, Array("lo".utf8)))
        var events: [WebSocketMessageAssembler.Event] = []
        while let frame = try parser.next() {
            if let event = try assembler.accept(frame) { events.append(event) }
        }
        XCTAssertEqual(events, [.ping(Array("ping".utf8)), .message(binary: false, Array("Hello".utf8))])
    }

    func testContinuationWithoutAMessageIsAProtocolError() {
        var assembler = WebSocketMessageAssembler()
        XCTAssertThrowsError(try assembler.accept(WebSocketFrame(opcode: .continuation, payload: [1])))
    }

    func testCloseCarriesItsCode() throws {
        var parser = WebSocketFrameParser()
        parser.append(Self.masked(opcode: 0x8, [0x03, 0xE8, 0x62, 0x79, 0x65]))
        XCTAssertEqual(try parser.next()?.closeCode, 1000)
    }

    static func masked(opcode: UInt8, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 { frame.append(0x80 | UInt8(payload.count)) }
        else if payload.count <= 0xFFFF { frame += [0xFE, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] }
        else { frame.append(0xFF); for s in stride(from: 56, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: payload.count >> s)) } }
        let mask: [UInt8] = [0x11, 0x22, 0x33, 0x44]
        return frame + mask + payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
    }
}

/// A long stream (kubectl cp) nearly always ends a read inside a frame; the parser must still drop
/// what it has consumed, or it keeps the whole stream in memory.
final class WebSocketFrameParserMemoryTests: XCTestCase {
    func testConsumedBytesAreDroppedWhileAFrameIsPartial() throws {
        var parser = WebSocketFrameParser()
        let frame = WebSocketFrameTests.masked(opcode: 0x2, [UInt8](repeating: 1, count: 32 << 10))
        let stream = Array((0..<200).map { _ in frame }.joined())
        // Reads that never line up with frame ends, as a socket delivers a long upload.
        var frames = 0
        for start in stride(from: 0, to: stream.count, by: 50_001) {
            parser.append(stream[start..<min(start + 50_001, stream.count)])
            while try parser.next() != nil { frames += 1 }
            XCTAssertLessThan(parser.bufferedByteCount, 256 << 10, "6 MiB go through; only about one read should be held")
        }
        XCTAssertEqual(frames, 200)
    }
}
