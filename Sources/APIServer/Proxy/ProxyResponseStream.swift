import Foundation
import HTTPServer

/// The body of a proxied response, streamed as it arrives: a thread reads the upstream socket
/// (undoing chunked coding), the HTTP server pulls chunks and sleeps while none wait. The reader
/// is held back once `maxBuffered` bytes wait for a slow client; a client that goes away ends the
/// upstream connection.
final class ProxyResponseStream: ResponseStream, @unchecked Sendable {
    private let exchange: UpstreamHTTPExchange
    private let lock = NSCondition()
    private var chunks: [[UInt8]] = []
    private var buffered = 0
    private var ended = false
    private var closed = false
    private var wake: (@Sendable () -> Void)?
    /// The reader closed the socket: `close` must not shut down a descriptor number reused since.
    private var socketClosed = false
    static let maxBuffered = 1 << 20

    init(_ exchange: UpstreamHTTPExchange) { self.exchange = exchange }

    func attach(wake: @escaping @Sendable () -> Void) {
        lock.lock(); self.wake = wake; lock.unlock()
        let thread = Thread { [self] in pump() }
        thread.name = "kubelite.proxy"
        thread.stackSize = 256 << 10
        thread.start()
    }

    private func pump() {
        defer {
            lock.lock(); socketClosed = true; Glibc.close(exchange.socket); lock.unlock()
            finish()
        }
        var decoder = ChunkedBodyDecoder()
        var remaining: Int? = nil
        if case .length(let n) = exchange.framing { remaining = n }
        func deliver(_ raw: ArraySlice<UInt8>) -> Bool {
            var bytes: [UInt8]
            switch exchange.framing {
            case .chunked:
                guard let decoded = try? decoder.decode(raw) else { return false }
                bytes = decoded
            case .length:
                bytes = Array(raw.prefix(remaining ?? 0))
                remaining = (remaining ?? 0) - bytes.count
            default:
                bytes = Array(raw)
            }
            if !bytes.isEmpty, !push(bytes) { return false }
            if exchange.framing == .chunked, decoder.isDone { return false }
            if let remaining, remaining <= 0 { return false }
            return true
        }
        if exchange.framing == .none { return }
        if !exchange.leftover.isEmpty, !deliver(exchange.leftover[...]) { return }
        if case .length(0) = exchange.framing { return }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(exchange.socket, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return }
            if !deliver(buffer[0..<n]) { return }
        }
    }

    private func push(_ bytes: [UInt8]) -> Bool {
        lock.lock()
        while buffered >= Self.maxBuffered, !closed { lock.wait() }
        if closed { lock.unlock(); return false }
        chunks.append(bytes)
        buffered += bytes.count
        let wake = self.wake
        lock.unlock()
        wake?()
        return true
    }

    private func finish() {
        lock.lock()
        ended = true
        let wake = self.wake
        lock.unlock()
        wake?()
    }

    func read(max: Int) -> StreamRead {
        lock.lock(); defer { lock.unlock() }
        guard !chunks.isEmpty else { return ended ? .end : .pending }
        var chunk = chunks[0]
        if chunk.count > max {
            chunks[0] = Array(chunk[max...])
            chunk = Array(chunk[..<max])
        } else {
            chunks.removeFirst()
        }
        buffered -= chunk.count
        lock.broadcast()
        return .data(chunk)
    }

    func close() {
        lock.lock(); defer { lock.unlock() }
        closed = true
        lock.broadcast()
        if !socketClosed { shutdown(exchange.socket, Int32(SHUT_RDWR)) }
    }
}
