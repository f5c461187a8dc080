import APIMachinery
@testable import ClusterDNS
import ControllerRuntime
import Foundation
import Glibc
import KubeliteTesting
import XCTest

/// A minimal DNS client over real sockets to 127.0.0.1.
enum DNSTestClient {
    static func connect(_ type: Int32, port: UInt16) -> Int32 {
        let fd = socket(AF_INET, type, 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        DNSSocket.setTimeout(fd, seconds: 3)
        return fd
    }

    static func udp(_ packet: [UInt8], port: UInt16) -> DNSMessage? {
        let fd = connect(DNSSocket.datagram, port: port)
        defer { close(fd) }
        _ = packet.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var buffer = [UInt8](repeating: 0, count: 65535)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return try? DNSMessageReader.decode(Array(buffer[0..<n]))
    }

    /// Sends each packet length-prefixed on one connection and reads as many answers.
    static func tcp(_ packets: [[UInt8]], port: UInt16) -> [DNSMessage] {
        let fd = connect(DNSSocket.stream, port: port)
        defer { close(fd) }
        var answers: [DNSMessage] = []
        for packet in packets {
            guard DNSSocket.writeAll(fd, [UInt8(packet.count >> 8), UInt8(packet.count & 0xFF)] + packet),
                  let prefix = DNSSocket.readExactly(fd, count: 2),
                  let body = DNSSocket.readExactly(fd, count: Int(prefix[0]) << 8 | Int(prefix[1])),
                  let m = try? DNSMessageReader.decode(body) else { break }
            answers.append(m)
        }
        return answers
    }
}

final class DNSServerSocketTests: XCTestCase {
    var harness: DNSHarness!
    var server: ClusterDNSServer!

    override func setUpWithError() throws {
        harness = try DNSHarness()
        try harness.seed()
        server = ClusterDNSServer(context: harness.cluster.context, bindAddress: "127.0.0.1", port: 0)
        try server.start()
    }

    override func tearDown() { server?.stop() }

    func testUDPAndTCPQueriesOnAnOSPickedPort() throws {
        XCTAssertNotEqual(server.port, 0)
        let udp = try XCTUnwrap(DNSTestClient.udp(DNSTestQuery.bytes("redis-sts-0.redis-svc.default.svc.cluster.local", .a, id: 77), port: server.port))
        XCTAssertEqual(udp.id, 77)
        XCTAssertEqual(DNSTestQuery.addresses(udp), ["10.244.0.5"])

        let tcp = DNSTestClient.tcp([
            DNSTestQuery.bytes("redis-svc.default.svc.cluster.local", .a, id: 1),
            DNSTestQuery.bytes("_redis._tcp.redis-svc.default.svc.cluster.local", .srv, id: 2),
            DNSTestQuery.bytes("nope.default.svc.cluster.local", .a, id: 3),
        ], port: server.port)
        XCTAssertEqual(tcp.map(\.id), [1, 2, 3], "several queries on one connection")
        XCTAssertEqual(Set(DNSTestQuery.addresses(tcp[0])), ["10.244.0.5", "10.244.0.6", "10.244.0.8"])
        XCTAssertEqual(tcp[1].answers.count, 3)
        XCTAssertEqual(tcp[2].rcode, 3)
    }

    func testGarbageDoesNotStopTheServer() throws {
        let port = server.port
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let junk = (0..<Int.random(in: 0...100, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let fd = DNSTestClient.connect(DNSSocket.datagram, port: port)
            _ = junk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            close(fd)
        }
        // A TCP client that announces 300 bytes and sends 3, then stalls: it holds only its own thread.
        let stalled = DNSTestClient.connect(DNSSocket.stream, port: port)
        defer { close(stalled) }
        XCTAssertTrue(DNSSocket.writeAll(stalled, [0x01, 0x2C, 1, 2, 3]))
        // A TCP packet with a pointer loop is answered FORMERR on the connection.
        let loop: [UInt8] = [0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]
        XCTAssertEqual(DNSTestClient.tcp([loop], port: port).first?.rcode, 1)

        XCTAssertEqual(DNSTestQuery.addresses(try XCTUnwrap(DNSTestClient.udp(DNSTestQuery.bytes("web.default.svc.cluster.local", .a), port: port))), ["10.96.0.50"])
        XCTAssertEqual(DNSTestClient.tcp([DNSTestQuery.bytes("web.default.svc.cluster.local", .a)], port: port).count, 1)
    }

    func testStopReleasesThePort() throws {
        let port = server.port
        let started = Date()
        server.stop()
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "stopping does not wait for idle connections")
        XCTAssertEqual(server.port, 0)
        let again = ClusterDNSServer(context: harness.cluster.context, bindAddress: "127.0.0.1", port: port)
        try again.start()
        XCTAssertEqual(again.port, port)
        XCTAssertNotNil(DNSTestClient.udp(DNSTestQuery.bytes("web.default.svc.cluster.local", .a), port: port))
        again.stop()
        server = nil
    }

    func testInvalidBindAddressIsAnError() {
        let bad = ClusterDNSServer(context: harness.cluster.context, bindAddress: "not-an-ip", port: 0)
        XCTAssertThrowsError(try bad.start())
    }
}

/// The further addresses a running server answers on (a node's pod network gateway, port 53).
final class DNSServerExtraListenerTests: XCTestCase {
    func testAFurtherAddressAnswersFromTheSameCachesUntilStop() throws {
        let harness = try DNSHarness()
        try harness.seed()
        let server = ClusterDNSServer(context: harness.cluster.context, bindAddress: "127.0.0.1", port: 0)
        XCTAssertThrowsError(try server.listen(on: "127.0.0.1", port: 0), "a server that is not running cannot listen")
        try server.start()
        let extra = try server.listen(on: "127.0.0.1", port: 0)
        XCTAssertNotEqual(extra, server.port)
        let udp = try XCTUnwrap(DNSTestClient.udp(DNSTestQuery.bytes("redis-sts-0.redis-svc.default.svc.cluster.local", .a, id: 9), port: extra))
        XCTAssertEqual(DNSTestQuery.addresses(udp), ["10.244.0.5"])
        XCTAssertEqual(DNSTestClient.tcp([DNSTestQuery.bytes("redis-svc.default.svc.cluster.local", .a, id: 2)], port: extra).count, 1)
        server.stop()
        XCTAssertTrue(DNSTestClient.tcp([DNSTestQuery.bytes("redis-svc.default.svc.cluster.local", .a, id: 3)], port: extra).isEmpty,
                      "the further sockets close with the server")
    }
}
