import Foundation
import Registry

/// One forwarded connection: a socket to the pod's port and the client's stream, copied both ways
/// as containerd's PortForward copies them. When one direction ends the other gets a second to
/// finish, then the connection closes (upstream's one-second grace, after socat). The client's end
/// of input is passed on as a half-close, so a server waiting for it answers within that second.
///
/// The socket is dialled on the relay's own thread (entering the pod's network namespace is per
/// thread), which then reads from the pod; writes to the pod come from the caller's thread and may
/// block while the pod does not read.
final class PortForwardRelay: @unchecked Sendable {
    private let dial: @Sendable () throws(PortForwardFailure) -> Int32
    private let output: @Sendable (ArraySlice<UInt8>) -> Void
    private let done: @Sendable (PortForwardFailure?) -> Void
    private let lock = NSCondition()
    private var fd: Int32 = -1
    private var pending: [UInt8] = []
    private var clientEnded = false
    private var podEnded = false
    private var cancelled = false
    /// Serializes writes to the pod (the caller's and the flush of what arrived before the dial).
    private let writeLock = NSLock()
    static let grace: TimeInterval = 1
    /// The most one read from the pod takes (what its socket holds, up to this).
    static let readSize = 64 << 10

    init(dial: @escaping @Sendable () throws(PortForwardFailure) -> Int32,
         output: @escaping @Sendable (ArraySlice<UInt8>) -> Void,
         done: @escaping @Sendable (PortForwardFailure?) -> Void) {
        self.dial = dial; self.output = output; self.done = done
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "kubelite.portforward"
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Bytes from the client for the pod.
    func write(_ bytes: [UInt8]) {
        writeLock.lock(); defer { writeLock.unlock() }
        lock.lock()
        let socket = fd
        if socket < 0 { if !cancelled { pending += bytes }; lock.unlock(); return }
        lock.unlock()
        sendAll(socket, bytes)
    }

    /// The client sent its last byte: the pod sees end of input.
    func clientFinished() {
        lock.lock(); defer { lock.unlock() }
        clientEnded = true
        if fd >= 0, pending.isEmpty { shutdown(fd, Int32(SHUT_WR)) }
        lock.broadcast()
        scheduleGrace()
    }

    /// The client is gone (its connection closed, or it reset the stream): end at once.
    func cancel() {
        lock.lock(); defer { lock.unlock() }
        cancelled = true
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
        lock.broadcast()
    }

    private func run() {
        let socket: Int32
        do { socket = try dial() } catch {
            done(error)
            return
        }
        lock.lock()
        if cancelled { lock.unlock(); close(socket); done(nil); return }
        fd = socket
        lock.unlock()
        // A forwarded request is often one small write the pod should see at once.
        var noDelay: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        writeLock.lock()
        lock.lock()
        let early = pending
        pending = []
        let endInput = clientEnded
        lock.unlock()
        if !early.isEmpty { sendAll(socket, early) }
        if endInput { shutdown(socket, Int32(SHUT_WR)) }
        writeLock.unlock()

        var buffer = [UInt8](repeating: 0, count: Self.readSize)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            // The slice shares the buffer: `output` copies it once, into the transport's outbox.
            if n > 0 { output(buffer[0..<n]); continue }
            if n < 0, errno == EINTR { continue }
            break
        }
        // The pod's side ended (or the socket was shut down): give the client's side its second.
        lock.lock()
        podEnded = true
        let deadline = Date().addingTimeInterval(Self.grace)
        while !clientEnded, !cancelled, lock.wait(until: deadline) {}
        lock.unlock()
        // No write may be using the descriptor when it is closed (its number could be reused).
        shutdown(socket, Int32(SHUT_RDWR))
        writeLock.lock()
        lock.lock(); fd = -1; lock.unlock()
        close(socket)
        writeLock.unlock()
        done(nil)
    }

    /// After the client's side ended, the pod's side has a second before the socket is shut.
    private func scheduleGrace() {
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.grace) { [self] in
            lock.lock(); defer { lock.unlock() }
            if !podEnded, fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func sendAll(_ socket: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            if n < 0, errno == EINTR { continue }
            return
        }
    }
}
