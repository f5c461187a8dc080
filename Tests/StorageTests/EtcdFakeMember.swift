import Foundation
import Storage

/// A member that is up but cannot serve: every call is answered as etcd's gateway answers a gRPC
/// Unavailable error (HTTP 503 and the error's JSON), as a member without quorum does after its
/// proposal timed out. One connection at a time, each closed after its answer.
final class EtcdFakeMember: @unchecked Sendable {
    static let timedOut = "etcdserver: request timed out"
    private let listener: Int32
    let port: Int
    var endpoint: EtcdEndpoint { EtcdEndpoint(host: "127.0.0.1", port: port) }

    init() {
        (listener, port) = LoopbackListener.open()
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Stops accepting (the serving thread's accept fails and it ends).
    func stop() {
        _ = shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            answer(connection)
            close(connection)
        }
    }

    /// Reads the request's head and its Content-Length body, then answers the error.
    private func answer(_ connection: Int32) {
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let text = String(decoding: request, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let head = text[..<end.lowerBound].lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if request.count >= text.utf8.distance(from: text.startIndex, to: end.upperBound) + length { break }
            }
            let n = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            request += buffer[0..<n]
        }
        let body = #"{"error":"\#(Self.timedOut)","code":14,"message":"\#(Self.timedOut)"}"#
        let response = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        let bytes = Array(response.utf8)
        _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
