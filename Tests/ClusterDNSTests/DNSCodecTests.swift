@testable import ClusterDNS
import ControllerRuntime
import KubeliteTesting
import XCTest

final class DNSCodecTests: XCTestCase {
    /// `dig example.com A` with RD, id 0xabcd, as it goes on the wire.
    let digQuery: [UInt8] = [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                             7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 1, 0, 1]

    func testDecodesAQueryFromTheWire() throws {
        let m = try DNSMessageReader.decode(digQuery)
        XCTAssertEqual(m.id, 0xABCD)
        XCTAssertTrue(m.recursionDesired)
        XCTAssertFalse(m.isResponse)
        XCTAssertEqual(m.questions, [DNSQuestion(name: DNSName("example.com"), type: .a)])
        XCTAssertEqual(DNSMessageWriter.encode(m), digQuery, "encoding gives back the same bytes")
    }

    func testEveryRecordTypeRoundTrips() throws {
        var m = DNSMessage()
        m.id = 7
        m.isResponse = true
        m.authoritative = true
        m.recursionDesired = true
        m.rcode = 3
        let owner = DNSName("web.default.svc.cluster.local")
        m.questions = [DNSQuestion(name: owner, type: .any)]
        m.answers = [
            DNSRecord(name: owner, type: .a, ttl: 5, data: .address([10, 96, 0, 50])),
            DNSRecord(name: owner, type: .aaaa, ttl: 5, data: .address([0xFD] + [UInt8](repeating: 0, count: 14) + [5])),
            DNSRecord(name: owner, type: .cname, ttl: 5, data: .name(DNSName("db.example.com"))),
            DNSRecord(name: DNSName("50.0.96.10.in-addr.arpa"), type: .ptr, ttl: 5, data: .name(owner)),
            DNSRecord(name: owner, type: .srv, ttl: 5, data: .service(priority: 0, weight: 33, port: 6379, target: owner.prepending(["redis-sts-0"]))),
            DNSRecord(name: owner, type: .txt, ttl: 28800, data: .text([Array("1.1.0".utf8), []])),
            DNSRecord(name: owner, type: .ns, ttl: 5, data: .name(DNSName("ns.dns.cluster.local"))),
            DNSRecord(name: owner, type: DNSRecordType(rawValue: 99), ttl: 1, data: .opaque([1, 2, 3])),
        ]
        m.authorities = [DNSRecord(name: DNSName("cluster.local"), type: .soa, ttl: 5, data: .authority(
            mname: DNSName("ns.dns.cluster.local"), rname: DNSName("hostmaster.cluster.local"),
            serial: 42, refresh: 7200, retry: 1800, expire: 86400, minimum: 5))]
        m.additionals = [DNSRecord(name: .root, type: .opt, rclass: 1232, ttl: 0x8000, data: .opaque([]))]
        let bytes = DNSMessageWriter.encode(m)
        XCTAssertEqual(try DNSMessageReader.decode(bytes), m)
    }

    func testNamesAreCompressedButSRVTargetsAreNot() throws {
        let owner = DNSName("redis-svc.default.svc.cluster.local")
        var m = DNSMessage()
        m.questions = [DNSQuestion(name: owner, type: .srv)]
        m.answers = (0..<3).map {
            DNSRecord(name: owner, type: .srv, ttl: 5, data: .service(priority: 0, weight: 33, port: 6379, target: owner.prepending(["redis-sts-\($0)"])))
        }
        m.additionals = (0..<3).map { DNSRecord(name: owner.prepending(["redis-sts-\($0)"]), type: .a, ttl: 5, data: .address([10, 244, 0, UInt8($0)])) }
        let bytes = DNSMessageWriter.encode(m)
        XCTAssertEqual(try DNSMessageReader.decode(bytes), m)
        // Each SRV target is written in full (RFC 2782); owners point back at earlier names.
        let target = Array("redis-sts-1".utf8)
        XCTAssertEqual(occurrences(of: [UInt8(target.count)] + target + [9] + Array("redis-svc".utf8), in: bytes), 1)
        XCTAssertEqual(occurrences(of: [9] + Array("redis-svc".utf8), in: bytes), 4, "question + three SRV targets; owners are pointers")
        XCTAssertLessThan(bytes.count, 12 + owner.wireLength * 10)
    }

    func testUDPAnswersAreTruncatedTo512BytesWithTC() throws {
        let owner = DNSName("big.default.svc.cluster.local")
        var m = DNSMessage()
        m.isResponse = true
        m.questions = [DNSQuestion(name: owner, type: .a)]
        m.answers = (0..<100).map { DNSRecord(name: owner, type: .a, ttl: 5, data: .address([10, 244, 1, UInt8($0)])) }
        let small = DNSMessageWriter.encode(m, limit: 512)
        XCTAssertLessThanOrEqual(small.count, 512)
        let decoded = try DNSMessageReader.decode(small)
        XCTAssertTrue(decoded.truncated)
        XCTAssertEqual(decoded.answers, Array(m.answers.prefix(decoded.answers.count)))
        XCTAssertGreaterThan(decoded.answers.count, 20)

        let full = try DNSMessageReader.decode(DNSMessageWriter.encode(m, limit: 65535))
        XCTAssertFalse(full.truncated)
        XCTAssertEqual(full.answers.count, 100)
    }

    func testTruncationKeepsTheOPTRecord() throws {
        var m = DNSTestQuery.message("big.default.svc.cluster.local", .a, edns: 1232)
        m.answers = (0..<100).map { DNSRecord(name: m.questions[0].name, type: .a, ttl: 5, data: .address([10, 0, 0, UInt8($0)])) }
        let bytes = DNSMessageWriter.encode(m, limit: 512)
        XCTAssertLessThanOrEqual(bytes.count, 512)
        let decoded = try DNSMessageReader.decode(bytes)
        XCTAssertTrue(decoded.truncated)
        XCTAssertEqual(decoded.edns?.rclass, 1232)
    }

    func testNamePresentationEscapesOddBytes() {
        XCTAssertEqual(DNSName("web.default.svc.cluster.local").description, "web.default.svc.cluster.local.")
        XCTAssertEqual(DNSName.root.description, ".")
        XCTAssertEqual(DNSName(labels: [Array("a.b".utf8), [0, 32, 0x41]]).description, "a\\.b.\\000\\032A.")
        XCTAssertEqual(DNSName("WEB.Default"), DNSName("web.default"))
        XCTAssertTrue(DNSName("a.b.cluster.local").isSubdomain(of: DNSName("Cluster.Local")))
        XCTAssertFalse(DNSName("a.bcluster.local").isSubdomain(of: DNSName("cluster.local")))
    }

    func testReverseNamesGiveAddresses() {
        XCTAssertEqual(IPAddressText.fromReverse(DNSName("5.0.244.10.in-addr.arpa")), [10, 244, 0, 5])
        XCTAssertNil(IPAddressText.fromReverse(DNSName("0.244.10.in-addr.arpa")))
        XCTAssertNil(IPAddressText.fromReverse(DNSName("300.0.244.10.in-addr.arpa")))
        let v6 = "5" + String(repeating: ".0", count: 27) + ".0.0.d.f.ip6.arpa"
        XCTAssertEqual(IPAddressText.fromReverse(DNSName(v6)).flatMap(IPAddressText.format), "fd00::5")
    }

    func testReaderRejectsBrokenNames() {
        let header: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        let cases: [(String, [UInt8])] = [
            ("pointer to itself", header + [0xC0, 12, 0, 1, 0, 1]),
            ("pointer forwards", header + [0xC0, 14, 0xC0, 12, 0, 1, 0, 1]),
            ("two pointers in a loop", header + [1, 0x61, 0xC0, 16, 0xC0, 12, 0, 1, 0, 1]),
            ("pointer past the end", header + [0xC0]),
            ("label past the end", header + [10, 0x61]),
            ("extended label type", header + [0x41, 0, 0, 1, 0, 1]),
            ("name over 255 bytes", header + Array(repeating: [63] + [UInt8](repeating: 0x61, count: 63), count: 5).flatMap { $0 } + [0, 0, 1, 0, 1]),
            ("question without type", header + [0]),
        ]
        for (what, bytes) in cases {
            XCTAssertThrowsError(try DNSMessageReader.decode(bytes), what)
        }
    }

    func testReaderRejectsRecordDataThatDisagreesWithItsLength() {
        var m = DNSTestQuery.message("a.b", .a)
        m.answers = [DNSRecord(name: DNSName("a.b"), type: .cname, ttl: 5, data: .name(DNSName("c.d")))]
        var bytes = DNSMessageWriter.encode(m)
        // RDLENGTH of the CNAME is the two bytes before its data; claim one byte more.
        let lengthAt = bytes.count - DNSName("c.d").wireLength - 2
        bytes[lengthAt + 1] += 1
        bytes.append(0)
        XCTAssertThrowsError(try DNSMessageReader.decode(bytes))
        bytes.removeLast(2)
        XCTAssertThrowsError(try DNSMessageReader.decode(bytes))
    }

    private func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> Int {
        guard haystack.count >= needle.count else { return 0 }
        return (0...(haystack.count - needle.count)).filter { Array(haystack[$0..<$0 + needle.count]) == needle }.count
    }
}
