import APIMachinery
@testable import ClusterDNS
import ControllerRuntime
import KubeliteTesting
import XCTest


final class DNSMalformedPacketTests: XCTestCase {
    var harness: DNSHarness!
    var handler: DNSQueryHandler!

    override func setUpWithError() throws {
        harness = try DNSHarness()
        handler = DNSQueryHandler(resolver: harness.resolver)
    }

    /// A response must be a well-formed DNS response to the same id, within the UDP limit.
    func checkResponse(_ packet: [UInt8], _ response: [UInt8]?, file: StaticString = #filePath, line: UInt = #line) -> DNSMessage? {
        guard let response else { return nil }
        XCTAssertLessThanOrEqual(response.count, 512, file: file, line: line)
        guard let m = try? DNSMessageReader.decode(response) else {
            XCTFail("unreadable response to \(packet)", file: file, line: line)
            return nil
        }
        XCTAssertTrue(m.isResponse, file: file, line: line)
        XCTAssertEqual(m.id, UInt16(packet[0]) << 8 | UInt16(packet[1]), file: file, line: line)
        return m
    }

    func testRandomPacketsAreAnsweredFormErrOrDropped() {
        var rng = SplitMix64(seed: 0x5EED)
        var answered = 0, formErr = 0
        for i in 0..<20_000 {
            let length = Int.random(in: 0...600, using: &rng)
            var packet = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Half of them get a plausible query header so the body parser is what gets exercised.
            if i % 2 == 0, packet.count >= 12 {
                packet[2] &= 0x01; packet[3] = 0
                packet[4] = 0; packet[5] = 1
                for j in 6..<12 { packet[j] = 0 }
                packet[11] = UInt8(i % 3)
            }
            if let m = checkResponse(packet, handler.handle(packet, transport: .udp)) {
                answered += 1
                if m.rcode == 1 { formErr += 1 }
            }
        }
        XCTAssertGreaterThan(formErr, 1000)
        XCTAssertGreaterThan(answered, formErr / 2)
    }

    func testEveryTruncationOfAValidQuery() {
        let query = DNSTestQuery.bytes("redis-sts-0.redis-svc.default.svc.cluster.local", .a, edns: 1232)
        for length in 0..<query.count {
            let packet = Array(query.prefix(length))
            let response = handler.handle(packet, transport: .udp)
            if length < 12 {
                XCTAssertNil(response, "\(length) bytes: no header, dropped")
            } else {
                XCTAssertEqual(checkResponse(packet, response)?.rcode, 1, "\(length) bytes")
            }
        }
        XCTAssertEqual(checkResponse(query, handler.handle(query, transport: .udp))?.rcode, 3)
    }

    func testEveryBitFlipOfAValidQueryIsHandled() {
        let query = DNSTestQuery.bytes("_redis._tcp.redis-svc.default.svc.cluster.local", .srv, edns: 4096)
        for bit in 0..<(query.count * 8) {
            var packet = query
            packet[bit / 8] ^= 1 << (bit % 8)
            _ = checkResponse(packet, handler.handle(packet, transport: .udp))
        }
    }

    func testCompressionPointerLoopsAnswerFormErr() {
        let header: [UInt8] = [0x42, 0x42, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for body: [UInt8] in [
            [0xC0, 12, 0, 1, 0, 1],  // points at itself
            [1, 0x61, 0xC0, 12, 0, 1, 0, 1],  // label then back to its own start
            [0xC0, 14, 0xC0, 12, 0, 1, 0, 1],  // forward then back
            [0xFF, 0xFF, 0, 1, 0, 1],  // past the message
        ] {
            let packet = header + body
            XCTAssertEqual(checkResponse(packet, handler.handle(packet, transport: .udp))?.rcode, 1, "\(body)")
        }
    }

    func testHeaderRulesFollowMiekgDNS() {
        var query = DNSTestQuery.bytes("web.default.svc.cluster.local", .a)
        var response = query
        response[2] |= 0x80
        XCTAssertNil(handler.handle(response, transport: .udp), "responses are dropped")

        query[2] = 0x28 | 0x01  // opcode UPDATE (5), RD
        let notImp = checkResponse(query, handler.handle(query, transport: .udp))
        XCTAssertEqual(notImp?.rcode, 4)
        XCTAssertEqual(notImp?.opcode, 5)

        var two = DNSTestQuery.message("a.cluster.local", .a)
        two.questions.append(DNSQuestion(name: DNSName("b.cluster.local"), type: .a))
        let packet = DNSMessageWriter.encode(two)
        let formErr = checkResponse(packet, handler.handle(packet, transport: .udp))
        XCTAssertEqual(formErr?.rcode, 1)
        XCTAssertEqual(formErr?.recursionDesired, true)
        XCTAssertTrue(formErr?.questions.isEmpty ?? false)
    }

    func testEDNSIsAnsweredWithOPTAndUnknownVersionsWithBADVERS() throws {
        let plain = checkResponse([0x12, 0x34], handler.handle(DNSTestQuery.bytes("cluster.local", .soa, edns: 1232), transport: .udp))
        XCTAssertEqual(plain?.edns?.rclass, 1232)
        XCTAssertEqual(plain?.answers.first?.type, .soa)

        var bad = DNSTestQuery.message("cluster.local", .soa, edns: 1232)
        bad.additionals[0].ttl = 1 << 16  // version 1
        let m = try XCTUnwrap(checkResponse([0x12, 0x34], handler.handle(DNSMessageWriter.encode(bad), transport: .udp)))
        XCTAssertEqual(m.rcode, 0)
        XCTAssertEqual(m.edns.map { $0.ttl >> 24 }, 1, "extended rcode 16 (BADVERS) = 1 << 4")
        XCTAssertTrue(m.answers.isEmpty)

        // Two OPT records (RFC 6891 §6.1.1: FORMERR); the writer never makes such a message.
        var twoOPT = DNSTestQuery.bytes("cluster.local", .soa, edns: 1232)
        twoOPT += twoOPT.suffix(11)
        twoOPT[11] = 2
        XCTAssertEqual(checkResponse(twoOPT, handler.handle(twoOPT, transport: .udp))?.rcode, 1)
    }

    func testLargeAnswersTruncateOnUDPAndFitWithEDNSOrTCP() throws {
        try harness.service("big", clusterIP: "None", ports: [["name": "p", "port": 80]])
        let addresses = (1...100).map { DNSHarness.address("10.244.3.\($0)") }
        try harness.endpoints("big", ready: addresses, ports: [["name": "p", "port": 80, "protocol": "TCP"]])
        XCTAssertTrue(waitUntil("big") { harness.ask("big.default.svc.cluster.local", .a).answers.count == 100 })

        let udp = try DNSMessageReader.decode(XCTUnwrap(handler.handle(DNSTestQuery.bytes("big.default.svc.cluster.local", .a), transport: .udp)))
        XCTAssertTrue(udp.truncated)
        XCTAssertLessThan(udp.answers.count, 100)
        let edns = try DNSMessageReader.decode(XCTUnwrap(handler.handle(DNSTestQuery.bytes("big.default.svc.cluster.local", .a, edns: 4096), transport: .udp)))
        XCTAssertFalse(edns.truncated)
        XCTAssertEqual(edns.answers.count, 100)
        let tcp = try DNSMessageReader.decode(XCTUnwrap(handler.handle(DNSTestQuery.bytes("big.default.svc.cluster.local", .a), transport: .tcp)))
        XCTAssertFalse(tcp.truncated)
        XCTAssertEqual(tcp.answers.count, 100)
    }
}
