import APIMachinery
import APIServer
import Foundation
import HTTPServer
import Logging
import Registry
import Storage
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A real kubelite API server on a free port, for tests that need sockets (streams, chunking).
final class LiveAPIServer {
    let api: APIServer
    let http: MicroHTTPServer
    var port: UInt16 { http.port }

    /// - Parameter storage: the backend; a fresh memory store keeping `historyLimit` events when nil.
    /// - Parameter logger: the API server's (request log included); `requestLogThreshold` as `APIServer`'s.
    init(storage: (any Storage)? = nil, historyLimit: Int = 100_000, watch: WatchHub.Configuration = WatchHub.Configuration(),
         logger: Logger = Logger(label: "kubelite.api"), requestLogThreshold: Duration = .milliseconds(500),
         maxRequestsInFlight: Int = 400, maxMutatingRequestsInFlight: Int = 200) throws {
        let registry = Registry(storage: storage ?? MemoryStorage(historyLimit: historyLimit), strategies: StrategyCatalog.all,
                                schemas: SchemaSet.upstream, watch: watch)
        try registry.bootstrap()
        api = APIServer(registry: registry, logger: logger, requestLogThreshold: requestLogThreshold,
                        maxRequestsInFlight: maxRequestsInFlight, maxMutatingRequestsInFlight: maxMutatingRequestsInFlight)
        api.markReady()
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.threads = 2
        http = MicroHTTPServer(configuration: configuration, handler: api)
        try http.start()
    }

    func stop() { http.stop() }

    /// One request answered in full, through the handler (no socket needed for plain writes).
    @discardableResult
    func call(_ method: String, _ path: String, body: JSON? = nil, contentType: String = "application/json") -> (status: Int, json: JSON) {
        let parts = path.split(separator: "?", maxSplits: 1)
        let query = parts.count == 2 ? parts[1].split(separator: "&").map { pair -> (name: String, value: String) in
            let kv = pair.split(separator: "=", maxSplits: 1)
            return (String(kv[0]), kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? "") : "")
        } : []
        let request = HTTPRequest(method: method, path: String(parts[0]), query: query,
                                  headers: [("Content-Type", contentType)], body: body.map { JSONWriter.encode($0) } ?? [])
        let response = api.handle(request).received()
        return (response.status, (try? JSONParser.parse(response.bodyBytes).value) ?? .null)
    }
}

/// A blocking HTTP/1.1 client over one socket that reads a chunked watch stream event by event,
/// every read bounded by a deadline (poll), so a stream that stalls fails the test instead of hanging it.
final class WatchClient {
    let fd: Int32
    private var buffer: [UInt8] = []
    /// Decoded chunk payload not yet split into lines.
    private var body: [UInt8] = []
    private(set) var streamEnded = false
    var status = 0
    var headers: [String: String] = [:]

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { throw WatchClientError.io("connect: errno \(errno)") }
    }

    deinit { if fd >= 0 { close(fd) } }

    func disconnect() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Sends a GET and reads the status line and headers.
    func get(_ path: String, accept: String? = nil, timeout: TimeInterval = 5) throws {
        sendGet(path, accept: accept)
        try readHead(timeout: timeout)
    }

    /// Sends a GET without waiting for the answer (for requests the server holds).
    func sendGet(_ path: String, accept: String? = nil) {
        var head = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let accept { head += "Accept: \(accept)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads the status line and headers of the answer.
    func readHead(timeout: TimeInterval = 5) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = find([13, 10, 13, 10], in: buffer) {
                var lines = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
                buffer.removeFirst(end + 4)
                status = Int(lines.removeFirst().split(separator: " ")[1]) ?? 0
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return
            }
            try fill(until: deadline)
        }
    }

    /// The whole non-chunked body (a Status answer).
    func fixedBody(timeout: TimeInterval = 5) throws -> JSON {
        let length = Int(headers["content-length"] ?? "") ?? 0
        let deadline = Date().addingTimeInterval(timeout)
        while buffer.count < length { try fill(until: deadline) }
        return try JSONParser.parse(Array(buffer[0..<length])).value
    }

    /// The next event line as JSON, or nil when the stream ended (terminating chunk) first.
    func nextEvent(timeout: TimeInterval = 5) throws -> JSON? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = body.firstIndex(of: 10) {
                let line = Array(body[0..<newline])
                body.removeFirst(newline + 1)
                return try JSONParser.parse(line).value
            }
            if streamEnded { return nil }
            try readChunk(until: deadline)
        }
    }

    /// The next line of a chunked text body (a pod log) without its newline, or nil at the stream's end.
    func nextLine(timeout: TimeInterval = 5) throws -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = body.firstIndex(of: 10) {
                defer { body.removeFirst(newline + 1) }
                return String(decoding: body[0..<newline], as: UTF8.self)
            }
            if streamEnded { return nil }
            try readChunk(until: deadline)
        }
    }

    /// Reads events until the stream ends, failing if it does not end before the deadline.
    func remainingEvents(timeout: TimeInterval) throws -> [JSON] {
        var out: [JSON] = []
        let deadline = Date().addingTimeInterval(timeout)
        while let event = try nextEvent(timeout: max(0, deadline.timeIntervalSinceNow)) { out.append(event) }
        return out
    }

    /// A chunked body read to its terminating chunk: the decoded bytes and how many chunks carried them.
    func chunkedBody(timeout: TimeInterval = 10) throws -> (bytes: [UInt8], chunks: Int) {
        let deadline = Date().addingTimeInterval(timeout)
        var chunks = 0
        while !streamEnded {
            try readChunk(until: deadline)
            chunks += 1
        }
        defer { body = [] }
        return (body, chunks - 1)
    }

    private func readChunk(until deadline: Date) throws {
        while find([13, 10], in: buffer) == nil { try fill(until: deadline) }
        let lineEnd = find([13, 10], in: buffer)!
        let size = Int(String(decoding: buffer[0..<lineEnd], as: UTF8.self), radix: 16) ?? 0
        while buffer.count < lineEnd + 2 + size + 2 { try fill(until: deadline) }
        body += buffer[(lineEnd + 2)..<(lineEnd + 2 + size)]
        buffer.removeFirst(lineEnd + 2 + size + 2)
        if size == 0 { streamEnded = true }
    }

    private func fill(until deadline: Date) throws {
        let remaining = deadline.timeIntervalSinceNow
        if remaining <= 0 { throw WatchClientError.timedOut }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, Int32(remaining * 1000) + 1)
        if ready == 0 { throw WatchClientError.timedOut }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { throw WatchClientError.io("connection closed") }
        buffer.append(contentsOf: chunk[0..<n])
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }
}

enum WatchClientError: Error {
    case timedOut
    case io(String)
}

extension JSON {
    var watchType: String? { self["type"]?.stringValue }
    var watchName: String? { self[path: "object", "metadata", "name"]?.stringValue }
    var watchRevision: String? { self[path: "object", "metadata", "resourceVersion"]?.stringValue }
}

