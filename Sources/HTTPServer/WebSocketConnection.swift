import Foundation

/// What an application does with an upgraded WebSocket. The server calls these on the connection's
/// own reader thread, in order: `opened`, any number of `received`, then `closed` exactly once.
public protocol WebSocketHandler: AnyObject, Sendable {
    func opened(_ connection: WebSocketConnection)
    /// One complete (reassembled) data message.
    func received(_ connection: WebSocketConnection, binary: Bool, payload: [UInt8])
    /// The connection is over: the peer closed it, it broke, or our close completed. Writes after
    /// this are dropped.
    func closed(_ connection: WebSocketConnection)
}

/// An RFC 6455 server connection over a socket libmicrohttpd handed over after a 101 answer.
/// One reader thread per connection (blocking in `poll`, never spinning); writes come from any
/// thread and go through one outbox (`WebSocketConnection+Outbox.swift`). The socket is never
/// `close()`d here: `release` hands it back to libmicrohttpd (`MHD_UPGRADE_ACTION_CLOSE`), once,
/// after the reader is done and no write is in progress.
public final class WebSocketConnection: @unchecked Sendable {
    let socket: Int32
    private let handler: any WebSocketHandler
    private let release: @Sendable () -> Void
    private var leftover: [UInt8]
    /// Guards the write side and the state below; senders waiting for room in the outbox wait on it.
    let lock = NSCondition()
    var closeSent = false
    var released = false
    /// Encoded frames not yet written, in order; one thread at a time (`flushing`) writes them.
    var outbox: [UInt8] = []
    /// The outbox's previous buffer, kept for its capacity.
    var spareOutbox: [UInt8] = []
    var flushing = false
    /// A write failed: what is queued is dropped and nothing more is written.
    var writeFailed = false
    /// A raw connection's end of output (`close`), made once the outbox is written.
    var shutdownWhenFlushed = false
    /// After our close frame, how long we wait for the peer's before dropping the connection.
    var closeDeadline: Date?
    static let closeHandshakeTimeout: TimeInterval = 2
    /// A write that cannot progress this long means the peer stopped reading: the connection is dropped.
    static let writeTimeoutMilliseconds: Int32 = 10_000
    /// Queued bytes over which a sender waits for the writer (the backpressure a blocking write gives).
    static let outboxLimit = 1 << 20
    /// The largest spare outbox buffer kept for reuse.
    static let keptOutboxCapacity = 256 << 10

    /// The negotiated subprotocol (`Sec-WebSocket-Protocol`), or nil.
    public let subprotocol: String?
    /// Raw bytes instead of frames (another protocol than WebSocket: `WebSocketUpgrade.raw`).
    public let raw: Bool

    init(socket: Int32, leftover: [UInt8], subprotocol: String?, handler: any WebSocketHandler, raw: Bool = false,
         release: @escaping @Sendable () -> Void) {
        self.socket = socket; self.leftover = leftover; self.subprotocol = subprotocol
        self.handler = handler; self.raw = raw; self.release = release
    }

    /// Starts the reader thread.
    func start() {
        let thread = Thread { [self] in runReader() }
        thread.name = "kubelite.websocket"
        thread.stackSize = 256 << 10
        thread.start()
    }

    public func send(binary payload: [UInt8]) { send(binary: payload, []) }

    /// One binary message of `head` followed by `body` (a protocol's header before a payload),
    /// copied once, into the outbox, without being joined first. On a raw connection, the bytes.
    public func send(binary head: [UInt8], _ body: ArraySlice<UInt8>) {
        enqueue { out in
            if !raw { WebSocketFrame.appendHeader(opcode: .binary, length: head.count + body.count, to: &out) }
            out.append(contentsOf: head)
            out.append(contentsOf: body)
        }
    }

    public func send(text: String) { write(WebSocketFrame(opcode: .text, payload: Array(text.utf8))) }

    /// Starts the closing handshake (§7.1.2); the connection ends when the peer answers or after a
    /// short timeout. Later sends are dropped; what was sent before still goes out first.
    public func close(code: UInt16 = 1000, reason: String = "") {
        lock.lock(); defer { lock.unlock() }
        guard !closeSent, !released else { return }
        closeSent = true
        // A raw connection has no closing handshake: its output ends, and the reader at once.
        if raw { closeDeadline = Date(); shutdownWhenFlushed = true; flushLocked(); return }
        outbox += WebSocketFrame.close(code: code, reason: reason).encoded()
        closeDeadline = Date().addingTimeInterval(Self.closeHandshakeTimeout)
        flushLocked()
    }

    /// Server stop: say "going away" and end without waiting for the peer.
    func shutdownForStop() {
        close(code: 1001, reason: "server shutting down")
        lock.lock(); closeDeadline = Date(); lock.unlock()
    }

    private func write(_ frame: WebSocketFrame) { enqueue { $0 += frame.encoded() } }

    private func runReader() {
        handler.opened(self)
        if raw { runRawReader(); return }
        var parser = WebSocketFrameParser()
        var assembler = WebSocketMessageAssembler()
        parser.append(leftover)
        leftover = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        reading: while true {
            do {
                while let frame = try parser.next() {
                    guard let event = try assembler.accept(frame) else { continue }
                    switch event {
                    case .message(let binary, let payload): handler.received(self, binary: binary, payload: payload)
                    case .ping(let payload): write(WebSocketFrame(opcode: .pong, payload: payload))
                    case .pong: break
                    case .close(let code):
                        // Echo the peer's code (§5.5.1) unless we already sent our close.
                        close(code: code.map { $0 == 1005 ? 1000 : $0 } ?? 1000)
                        break reading
                    }
                }
            } catch {
                close(code: error.closeCode)
                break reading
            }
            lock.lock()
            let deadline = closeDeadline
            lock.unlock()
            if let deadline, deadline <= Date() { break }
            guard let n = readAvailable(&buffer) else { break }
            if n == 0 { continue }
            parser.append(buffer[0..<n])
        }
        finishReader()
    }

    /// The reader of a raw connection: every read goes to the handler as it is.
    private func runRawReader() {
        if !leftover.isEmpty { handler.received(self, binary: true, payload: leftover) }
        leftover = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            lock.lock()
            let deadline = closeDeadline
            lock.unlock()
            if let deadline, deadline <= Date() { break }
            guard let n = readAvailable(&buffer) else { break }
            if n == 0 { continue }
            handler.received(self, binary: true, payload: Array(buffer[0..<n]))
        }
        finishReader()
    }

    /// What has arrived: the socket is tried first, and only when nothing is there does the reader
    /// wait (200 ms at most, so a close deadline is seen), which makes one syscall per read while
    /// data flows. nil: the connection is over; 0: nothing yet.
    private func readAvailable(_ buffer: inout [UInt8]) -> Int? {
        let n = buffer.withUnsafeMutableBytes { raw in recv(socket, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT)) }
        if n > 0 { return n }
        if n == 0 { return nil }
        guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { return nil }
        var pfd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        if poll(&pfd, 1, 200) < 0, errno != EINTR { return nil }
        return 0
    }

    private func finishReader() {
        lock.lock()
        // Nothing more is queued; what is (a raw connection's last bytes before its close) is
        // written before the socket goes back, as far as the peer takes it (writes time out).
        closeSent = true
        while flushing { lock.wait() }
        released = true
        lock.unlock()
        handler.closed(self)
        release()
    }
}
