import Foundation
import HTTPServer

/// An upgraded proxied connection (a WebSocket to a pod, say): after both sides switched, bytes
/// are copied both ways until either side ends, as upstream's tryUpgrade copies them. The target's
/// socket is read on a thread of its own; the client's bytes are written from its reader.
final class ProxyUpgradeRelay: WebSocketHandler, @unchecked Sendable {
    private let exchange: UpstreamHTTPExchange
    private let lock = NSLock()
    private var socketClosed = false

    init(_ exchange: UpstreamHTTPExchange) { self.exchange = exchange }

    func opened(_ connection: WebSocketConnection) {
        if !exchange.leftover.isEmpty { connection.send(binary: exchange.leftover) }
        let socket = exchange.socket
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { break }
                connection.send(binary: Array(buffer[0..<n]))
            }
            connection.close()
            lock.lock(); socketClosed = true; Glibc.close(socket); lock.unlock()
        }
        thread.name = "kubelite.proxy-upgrade"
        thread.stackSize = 256 << 10
        thread.start()
    }

    func received(_ connection: WebSocketConnection, binary: Bool, payload: [UInt8]) {
        lock.lock(); defer { lock.unlock() }
        if !socketClosed, !UpstreamHTTPExchange.sendAll(exchange.socket, payload) { shutdown(exchange.socket, Int32(SHUT_RDWR)) }
    }

    func closed(_ connection: WebSocketConnection) {
        lock.lock(); defer { lock.unlock() }
        if !socketClosed { shutdown(exchange.socket, Int32(SHUT_RDWR)) }
    }
}
