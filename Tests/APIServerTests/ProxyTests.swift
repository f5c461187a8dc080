@testable import APIServer
import APIMachinery
import Foundation
import HTTPServer
import KubeliteTesting
import XCTest

/// The proxy subresources' pieces: upstream's id splitting and address checks, chunked decoding,
/// the HTTP exchange with a backend on loopback (each body framing), and the Statuses answered
/// before any backend is dialled.
final class ProxyTests: XCTestCase {
    func testSplitSchemeNamePortAsApimachinery() {
        XCTAssertEqual(ProxyTarget.splitSchemeNamePort("web")?.name, "web")
        XCTAssertEqual(ProxyTarget.splitSchemeNamePort("web:80").map { [$0.scheme, $0.name, $0.port] }, ["", "web", "80"])
        XCTAssertEqual(ProxyTarget.splitSchemeNamePort("https:web:api").map { [$0.scheme, $0.name, $0.port] }, ["https", "web", "api"])
        XCTAssertNil(ProxyTarget.splitSchemeNamePort("ftp:web:21"))
        XCTAssertNil(ProxyTarget.splitSchemeNamePort(":80"))
        XCTAssertNil(ProxyTarget.splitSchemeNamePort("a:b:c:d"))
    }

    func testOnlyGlobalUnicastAddressesAreProxiedTo() {
        XCTAssertTrue(ProxyTarget.isGlobalUnicast("10.244.0.5"))
        for ip in ["127.0.0.1", "0.0.0.0", "169.254.169.254", "224.0.0.1", "255.255.255.255", "not an ip"] {
            XCTAssertFalse(ProxyTarget.isGlobalUnicast(ip), ip)
        }
        XCTAssertEqual(ProxyTarget(scheme: "", host: "10.0.0.1", port: "http").portNumber(), 80, "a service name, as Go's dialer resolves it")
        XCTAssertEqual(ProxyTarget(scheme: "", host: "10.0.0.1", port: "").portNumber(), 80)
        XCTAssertNil(ProxyTarget(scheme: "", host: "10.0.0.1", port: "no-such-service-name").portNumber())
    }

    func testRedirectsOnTheTargetsHostStayUnderTheProxyPath() {
        let prefix = "/api/v1/namespaces/default/pods/web/proxy"
        func rewrite(_ location: String) -> String {
            ProxyRedirect.rewrite(location, prefix: prefix, targetHost: "10.244.0.5:80", requestHost: "127.0.0.1:8080")
        }
        XCTAssertEqual(rewrite("http://10.244.0.5:80/next?x=1"), prefix + "/next?x=1")
        XCTAssertEqual(rewrite("/next/"), prefix + "/next/")
        XCTAssertEqual(rewrite("http://127.0.0.1:8080/next"), "http://127.0.0.1:8080" + prefix + "/next")
        XCTAssertEqual(rewrite(prefix + "/already"), prefix + "/already")
        XCTAssertEqual(rewrite("https://example.com/elsewhere"), "https://example.com/elsewhere")
        XCTAssertEqual(rewrite("relative/path"), "relative/path")
    }

    func testChunkedDecodingInAnyPieces() throws {
        let wire = Array("4;ext=1\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n".utf8)
        for size in [1, 3, 7, wire.count] {
            var decoder = ChunkedBodyDecoder()
            var out: [UInt8] = []
            var i = 0
            while i < wire.count {
                out += try decoder.decode(wire[i..<min(wire.count, i + size)])
                i += size
            }
            XCTAssertEqual(String(decoding: out, as: UTF8.self), "Wikipedia in \r\n\r\nchunks.")
            XCTAssertTrue(decoder.isDone)
        }
        var bad = ChunkedBodyDecoder()
        XCTAssertThrowsError(try bad.decode(Array("zz\r\n".utf8)[...]))
    }

    /// A one-shot HTTP server on loopback answering `response` and recording the request head.
    final class Backend: @unchecked Sendable {
        let port: UInt16
        private(set) var request = ""
        init(_ response: String) {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = in_addr_t(INADDR_LOOPBACK).bigEndian
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            listen(listener, 4)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
            port = UInt16(bigEndian: address.sin_port)
            Thread.detachNewThread { [self] in
                let fd = accept(listener, nil, nil)
                close(listener)
                var buffer = [UInt8](repeating: 0, count: 65536)
                let n = recv(fd, &buffer, buffer.count, 0)
                request = String(decoding: buffer[0..<max(0, n)], as: UTF8.self)
                _ = Array(response.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
                close(fd)
            }
        }
    }

    func exchange(_ response: String, method: String = "GET") throws -> (UpstreamHTTPExchange, Backend) {
        let backend = Backend(response)
        let request = HTTPRequest(method: method, path: "/api/v1/namespaces/default/pods/web/proxy/a b",
                                  headers: [("Host", "127.0.0.1:8080"), ("Connection", "keep-alive"), ("Accept", "text/html"),
                                            ("X-Forwarded-For", "spoofed")],
                                  remoteAddress: "192.0.2.1:5555")
        let target = ProxyTarget(scheme: "", host: "127.0.0.1", port: String(backend.port))
        let result = try UpstreamHTTPExchange.send(request, to: target, port: backend.port, pathAndQuery: "/a%20b?x=1",
                                                   forwardedURI: "/api/v1/namespaces/default/pods/web/proxy/a%20b")
        return (result, backend)
    }

    func testExchangeRelaysTheRequestAndReadsEachFraming() throws {
        var (result, backend) = try exchange("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\nX-Served: yes\r\n\r\nhello")
        XCTAssertEqual(result.status, 200)
        XCTAssertEqual(result.framing, .length(5))
        XCTAssertEqual(result.clientHeaders.map(\.name), ["X-Served"], "hop-by-hop and framing headers are the server's own")
        close(result.socket)
        XCTAssertTrue(backend.request.hasPrefix("GET /a%20b?x=1 HTTP/1.1\r\n"), backend.request)
        XCTAssertTrue(backend.request.contains("host: 127.0.0.1:8080\r\n"))
        XCTAssertTrue(backend.request.contains("x-forwarded-for: 192.0.2.1\r\n"))
        XCTAssertFalse(backend.request.contains("spoofed"))
        XCTAssertTrue(backend.request.contains("x-forwarded-uri: /api/v1/namespaces/default/pods/web/proxy/a%20b\r\n"))
        XCTAssertFalse(backend.request.lowercased().contains("keep-alive"))

        (result, _) = try exchange("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        XCTAssertEqual(result.framing, .chunked)
        XCTAssertEqual(try body(of: result), "hello")
        (result, _) = try exchange("HTTP/1.0 200 OK\r\n\r\nuntil close")
        XCTAssertEqual(result.framing, .close)
        XCTAssertEqual(try body(of: result), "until close")
        (result, _) = try exchange("HTTP/1.1 204 No Content\r\n\r\n")
        XCTAssertEqual(result.framing, .none)
        close(result.socket)
        XCTAssertThrowsError(try exchange("garbage\r\n\r\n")) {
            XCTAssertEqual(($0 as? UpstreamHTTPExchange.Failure)?.message,
                           "net/http: HTTP/1.x transport connection broken: malformed HTTP response \"garbage\"")
        }
    }

    /// Drains a streamed body as the HTTP server would.
    func body(of exchange: UpstreamHTTPExchange) throws -> String {
        let stream = ProxyResponseStream(exchange)
        let woken = DispatchSemaphore(value: 0)
        stream.attach { woken.signal() }
        var out: [UInt8] = []
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            switch stream.read(max: 3) {
            case .data(let bytes): out += bytes
            case .pending: _ = woken.wait(timeout: .now() + 0.1)
            case .end: return String(decoding: out, as: UTF8.self)
            }
        }
        throw APIError.internalError("the body did not end")
    }

    func testStatusesBeforeAnyBackendIsDialled() throws {
        let server = try LiveAPIServer()
        defer { server.stop() }
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web"],
                         "spec": ["nodeName": "node-1", "containers": [["name": "app", "image": "busybox"]]]]
        XCTAssertEqual(server.call("POST", "/api/v1/namespaces/default/pods", body: pod).status, 201)
        var answer = server.call("GET", "/api/v1/namespaces/default/pods/web/proxy/")
        XCTAssertEqual(answer.status, 400)
        XCTAssertEqual(answer.json[path: "message"], "address not allowed", "a pod without an IP")
        answer = server.call("GET", "/api/v1/namespaces/default/pods/a:b:c:d/proxy/")
        XCTAssertEqual(answer.json[path: "message"], #"invalid pod request "a:b:c:d""#)
        let service: JSON = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "svc"],
                             "spec": ["ports": [["name": "http", "port": 80]]]]
        XCTAssertEqual(server.call("POST", "/api/v1/namespaces/default/services", body: service).status, 201)
        answer = server.call("GET", "/api/v1/namespaces/default/services/svc:81/proxy/")
        XCTAssertEqual(answer.status, 503)
        XCTAssertEqual(answer.json[path: "message"], #"no service port 81 found for service "svc""#)
        let endpoints: JSON = ["apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": "svc"]]
        XCTAssertEqual(server.call("POST", "/api/v1/namespaces/default/endpoints", body: endpoints).status, 201)
        answer = server.call("GET", "/api/v1/namespaces/default/services/svc:http/proxy/")
        XCTAssertEqual(answer.status, 503)
        XCTAssertEqual(answer.json[path: "reason"], "ServiceUnavailable")
        XCTAssertEqual(answer.json[path: "message"], #"no endpoints available for service "svc""#)
        XCTAssertEqual(server.call("GET", "/api/v1/namespaces/default/services/svc/status/extra").status, 404,
                       "only proxy paths go on past their subresource")
    }
}
