import APIMachinery
import APIServer
import Credentials
import Foundation
import HTTPServer
import Registry
import Storage
import XCTest

/// HTTPS through libmicrohttpd's GnuTLS support with the authentication chain, driven by curl
/// (OpenSSL): the serving certificate verifies for its names, client certificates are asked for but
/// not required, and the TLS layer hands the chain to the x509 authenticator.
final class TLSServingHTTPTests: XCTestCase {
    static let authority = try! ClusterCertificateAuthority.generate()
    var registry: Registry!
    var http: MicroHTTPServer!
    var api: APIServer!
    var directory: URL!

    override func setUpWithError() throws {
        try XCTSkipIf(!FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubelite-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        try registry.bootstrap()
        let chain = AuthenticationChain.standard(
            clientCertificates: ClientCertificateAuthenticator(verifier: try ClientCertificateVerifier(clientCAPEM: Self.authority.certificatePEM)),
            tokenFile: nil, registry: registry, anonymousAllowed: true)
        api = APIServer(registry: registry, authentication: chain)
        api.markReady()
        let serving = try APIServerCertificates.serving(directory: nil, authority: Self.authority, bindAddress: "127.0.0.1",
                                                        serviceIP: "10.96.0.1", clusterDomain: "cluster.local")
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.threads = 2
        configuration.tls = TLSServing(certificateChainPEM: serving.certificatePEM, privateKeyPEM: serving.keyPEM,
                                       clientCertificateAuthoritiesPEM: Self.authority.certificatePEM)
        http = MicroHTTPServer(configuration: configuration, handler: api)
        try http.start()
        try write("ca.crt", Self.authority.certificatePEM)
        let admin = try APIServerCertificates.admin(directory: nil, authority: Self.authority)
        try write("admin.crt", admin.certificatePEM)
        try write("admin.key", admin.keyPEM)
        let stranger = try ClusterCertificateAuthority.generate().issue(commonName: "mallory", organizations: ["system:masters"], usage: .client)
        try write("stranger.crt", stranger.certificatePEM)
        try write("stranger.key", stranger.keyPEM)
    }

    override func tearDown() {
        http?.stop()
        registry?.stopWatches()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// curl's exit code and output (body, then the status code on the last line).
    func curl(_ arguments: [String]) throws -> (code: Int32, body: String, status: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.currentDirectoryURL = directory
        process.arguments = ["-sS", "--max-time", "20", "-w", "\n%{http_code}"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (process.terminationStatus, lines.dropLast().joined(separator: "\n"), String(lines.last ?? ""))
    }

    func whoami(host: String = "127.0.0.1", _ credentials: [String]) throws -> (status: String, json: JSON) {
        let answer = try curl(["--cacert", "ca.crt"] + credentials + [
            "-X", "POST", "-H", "Content-Type: application/json",
            "-d", #"{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}"#,
            "https://\(host):\(http.port)/apis/authentication.k8s.io/v1/selfsubjectreviews"])
        XCTAssertEqual(answer.code, 0, answer.body)
        return (answer.status, (try? JSONParser.parse(Array(answer.body.utf8)).value) ?? .null)
    }

    func testAdminClientCertificateAuthenticatesOverTLS() throws {
        let admin = try whoami(["--cert", "admin.crt", "--key", "admin.key"])
        XCTAssertEqual(admin.status, "201")
        XCTAssertEqual(admin.json[path: "status", "userInfo"],
                       ["username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]])
        // The serving certificate is valid for localhost too (curl checks the name).
        XCTAssertEqual(try whoami(host: "localhost", ["--cert", "admin.crt", "--key", "admin.key"]).status, "201")
    }

    func testNoClientCertificateIsAnonymousAndAForeignOneIs401() throws {
        let anonymous = try whoami([])
        XCTAssertEqual(anonymous.status, "201")
        XCTAssertEqual(anonymous.json[path: "status", "userInfo", "username"], "system:anonymous")
        let stranger = try whoami(["--cert", "stranger.crt", "--key", "stranger.key"])
        XCTAssertEqual(stranger.status, "401")
        XCTAssertEqual(stranger.json["reason"], "Unauthorized")
        XCTAssertEqual(stranger.json["message"], "Unauthorized")
    }

    func testKeepAliveRequestsShareOneTLSConnection() throws {
        let url = "https://127.0.0.1:\(http.port)/version"
        let answer = try curl(["--cacert", "ca.crt", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                               "-w", "%{num_connects}\n", url, url, url])
        XCTAssertEqual(answer.code, 0)
        // One connect for the first request, none for the next two.
        XCTAssertEqual(answer.body.split(separator: "\n").filter { !$0.isEmpty }.map(String.init), ["1", "0", "0"], answer.body)
    }

    func testPlainHTTPOnTheSecurePortIsNotServed() throws {
        let answer = try curl(["http://127.0.0.1:\(http.port)/version"])
        XCTAssertNotEqual(answer.status, "200")
    }

    /// libmicrohttpd 0.9.75 runs no timer during a TLS handshake and does not notice a handshake-pending
    /// socket being shut down: connections that never send a byte are held by the acceptor and closed
    /// there, so at the connection limit they cannot lock a real client out.
    func testSilentConnectionsAtTheLimitAreClosedAndDoNotLockClientsOut() throws {
        http.stop()
        var configuration = http.configuration
        configuration.connectionLimit = 3
        configuration.connectionTimeoutSeconds = 1
        http = MicroHTTPServer(configuration: configuration, handler: api)
        try http.start()
        // Connections that never send a byte.
        let silent = try (0..<3).map { _ in try WatchClient(port: http.port) }
        let started = Date()
        let answer = try curl(["--cacert", "ca.crt", "https://127.0.0.1:\(http.port)/version"])
        XCTAssertEqual(answer.status, "200", answer.body)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.5, "served before the silent connections were closed: the limit did not hold")
        for client in silent { XCTAssertTrue(readsEndOfStream(client.fd), "a silent connection was not closed") }
    }

    /// True when the server closed the connection within 10 s.
    func readsEndOfStream(_ fd: Int32) -> Bool {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }
}
