@testable import HTTPServer
import XCTest

/// SPDY/3 framing and header compression against bytes recorded from kubectl 1.32's port-forward
/// (client-go's tunneling connection: each Write of Go's framer is one WebSocket message, so frames
/// arrive in pieces). Two forwarded connections: streams 1 (error) and 3 (data) sending a redis
/// PING, then 5 and 7 doing the same.
final class SPDYFrameTests: XCTestCase {
    static let recordedMessages: [String] = [
        "8003",
        "0001",
        "0000003e",
        "00000001",
        "00000000",
        "00",
        "00",
        "78f9e3c6a7c202253a703a2b294a4dcc851625aca9a0808614cb45e01c60666c6ec9c0c0c0590489c64c50f2663400000000ffff",
        "00000001",
        "01000000",
        "",
        "8003",
        "0001",
        "00000018",
        "00000003",
        "00000000",
        "00",
        "00",
        "c2aa19540e2512d60b000000ffff",
        "00000003",
        "0000000e",
        "2a310d0a24340d0a70696e670d0a",
        "00000003",
        "01000000",
        "",
        "8003",
        "0001",
        "00000014",
        "00000005",
        "00000000",
        "00",
        "00",
        "a2c4624300000000ffff",
        "00000005",
        "01000000",
        "",
        "8003",
        "0001",
        "00000014",
        "00000007",
        "00000000",
        "00",
        "00",
        "a2c0624300000000ffff",
        "00000007",
        "0000000e",
        "2a310d0a24340d0a70696e670d0a",
        "00000007",
        "01000000",
        "",
    ]

    static var recorded: [[UInt8]] { recordedMessages.map(hexBytes) }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    func testParsesKubectlsFramesArrivingInPieces() throws {
        var parser = SPDYFrameParser()
        var frames: [SPDYFrame] = []
        for message in Self.recorded {
            parser.append(message)
            while let frame = try parser.next() { frames.append(frame) }
        }
        let shapes = frames.map { frame -> String in
            switch frame {
            case .synStream(let id, _, _, let flags, _): return "SYN_STREAM \(id) flags \(flags)"
            case .data(let id, let flags, let payload): return "DATA \(id) flags \(flags) \(payload.count)"
            default: return "\(frame)"
            }
        }
        XCTAssertEqual(shapes, [
            "SYN_STREAM 1 flags 0", "DATA 1 flags 1 0",
            "SYN_STREAM 3 flags 0", "DATA 3 flags 0 14", "DATA 3 flags 1 0",
            "SYN_STREAM 5 flags 0", "DATA 5 flags 1 0",
            "SYN_STREAM 7 flags 0", "DATA 7 flags 0 14", "DATA 7 flags 1 0",
        ])
        guard case .data(_, _, let ping) = frames[3] else { return XCTFail() }
        XCTAssertEqual(String(decoding: ping, as: UTF8.self), "*1\r\n$4\r\nping\r\n")
    }

    func testDecompressesKubectlsHeaderBlocksAsOneZlibStream() throws {
        var parser = SPDYFrameParser()
        Self.recorded.forEach { parser.append($0) }
        let decompressor = SPDYHeaderDecompressor()
        var headers: [[String: String]] = []
        while let frame = try parser.next() {
            guard case .synStream(_, _, _, _, let block) = frame else { continue }
            let decoded = try SPDYHeaderBlock.decode(try decompressor.decompress(block))
            headers.append(Dictionary(uniqueKeysWithValues: decoded.fields.map { ($0.name, $0.values.joined(separator: ",")) }))
        }
        XCTAssertEqual(headers, [
            ["port": "6379", "streamtype": "error", "requestid": "0"],
            ["port": "6379", "streamtype": "data", "requestid": "0"],
            ["port": "6379", "streamtype": "error", "requestid": "1"],
            ["port": "6379", "streamtype": "data", "requestid": "1"],
        ])
    }

    func testHeaderBlocksRoundTripThroughOneCompressorAndDecompressor() throws {
        let compressor = SPDYHeaderCompressor(), decompressor = SPDYHeaderDecompressor()
        let blocks = [
            SPDYHeaderBlock(),
            SPDYHeaderBlock([("port", ["80"]), ("streamtype", ["data"])]),
            SPDYHeaderBlock([("accept", ["a", "b"])]),
        ]
        for block in blocks {
            let compressed = compressor.compress(block.encoded())
            // A sync flush ends every block, so the peer decodes it without waiting for more.
            XCTAssertEqual(Array(compressed.suffix(4)), [0x00, 0x00, 0xFF, 0xFF])
            XCTAssertEqual(try SPDYHeaderBlock.decode(try decompressor.decompress(compressed)), block)
        }
    }

    func testEncodesControlAndDataFramesAsTheDraftLaysThemOut() {
        XCTAssertEqual(SPDYFrame.data(streamID: 3, flags: SPDYFrame.flagFin, payload: [0x61]).encoded(),
                       [0, 0, 0, 3, 1, 0, 0, 1, 0x61])
        XCTAssertEqual(SPDYFrame.rstStream(streamID: 5, status: 5).encoded(),
                       [0x80, 3, 0, 3, 0, 0, 0, 8, 0, 0, 0, 5, 0, 0, 0, 5])
        XCTAssertEqual(SPDYFrame.ping(id: 1).encoded(), [0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1])
        XCTAssertEqual(SPDYFrame.synReply(streamID: 1, flags: 0, headerBlock: [9]).encoded(),
                       [0x80, 3, 0, 2, 0, 0, 0, 5, 0, 0, 0, 1, 9])
        XCTAssertEqual(SPDYFrame.goAway(lastGoodStreamID: 7, status: 0).encoded(),
                       [0x80, 3, 0, 7, 0, 0, 0, 8, 0, 0, 0, 7, 0, 0, 0, 0])
    }

    func testEncodedFramesParseBack() throws {
        let frames: [SPDYFrame] = [
            .synStream(streamID: 9, associatedTo: 0, priority: 2, flags: 1, headerBlock: [1, 2, 3]),
            .synReply(streamID: 9, flags: 0, headerBlock: [4]),
            .rstStream(streamID: 9, status: 1), .ping(id: 3), .goAway(lastGoodStreamID: 9, status: 2),
            .headers(streamID: 9, flags: 1, headerBlock: []), .windowUpdate(streamID: 9, delta: 1000),
            .data(streamID: 9, flags: 0, payload: Array(repeating: 7, count: 300)),
        ]
        var parser = SPDYFrameParser()
        frames.forEach { parser.append($0.encoded()) }
        for frame in frames { XCTAssertEqual(try parser.next(), frame) }
        XCTAssertNil(try parser.next())
    }

    func testRefusesWhatCannotBeASessionOfKubernetes() {
        var tooLarge = SPDYFrameParser(maxFrameLength: 16)
        tooLarge.append([0, 0, 0, 1, 0, 0, 0, 17])
        XCTAssertThrowsError(try tooLarge.next())
        var version2 = SPDYFrameParser()
        version2.append([0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1])
        XCTAssertThrowsError(try version2.next()) { XCTAssertEqual(($0 as? SPDYViolation)?.description, "unsupported SPDY version 2") }
        var streamZero = SPDYFrameParser()
        streamZero.append([0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertThrowsError(try streamZero.next())
        XCTAssertThrowsError(try SPDYHeaderBlock.decode([0, 0, 0, 9, 0, 0]))
        XCTAssertThrowsError(try SPDYHeaderBlock.decode([0, 0, 0, 1, 0, 0, 0, 4, 0x61]))
        XCTAssertThrowsError(try SPDYHeaderDecompressor().decompress([0x78, 0x9C, 0xFF, 0xFF, 0xFF]))
    }
}
