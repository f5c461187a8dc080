import Foundation

/// The write side: every sender appends its encoded frame to the outbox, and whoever finds no
/// write in progress becomes the writer until the outbox is empty (flat combining). Forwarded
/// connections answer at about the same moment (one thread each), so while one of them is in
/// `send` the others leave their frames and return at once, and those frames then go out in one
/// syscall: fewer writes here, fewer reads and wake-ups for the peer, and no sender waits on a
/// lock for the length of another's syscall. Frames keep the order in which they were appended.
extension WebSocketConnection {
    /// Appends what `encode` writes unless the connection is closing, waiting first while the
    /// outbox is over its limit; then writes unless another thread is writing.
    func enqueue(_ encode: (inout [UInt8]) -> Void) {
        lock.lock(); defer { lock.unlock() }
        while outbox.count >= Self.outboxLimit, flushing, !closeSent, !released, !writeFailed { lock.wait() }
        guard !closeSent, !released, !writeFailed else { return }
        encode(&outbox)
        flushLocked()
    }

    /// Called and returns with the lock held; unlocks around each write.
    func flushLocked() {
        guard !flushing else { return }
        flushing = true
        while !outbox.isEmpty, !writeFailed, !released {
            var batch = outbox
            outbox = spareOutbox
            spareOutbox = []
            lock.unlock()
            let written = Self.writeAll(socket, batch)
            batch.removeAll(keepingCapacity: true)
            lock.lock()
            // A bulk transfer's large buffer is not kept for an idle connection.
            spareOutbox = batch.capacity <= Self.keptOutboxCapacity ? batch : []
            if !written {
                writeFailed = true
                closeSent = true
                closeDeadline = Date()
                outbox = []
            }
            lock.broadcast()
        }
        if shutdownWhenFlushed, outbox.isEmpty, !released {
            shutdownWhenFlushed = false
            shutdown(socket, Int32(SHUT_WR))
        }
        flushing = false
        lock.broadcast()
    }

    /// Writes all of `bytes`, waiting (bounded) for the socket to drain. False: the peer is gone
    /// or stopped reading.
    static func writeAll(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(socket, raw.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { sent += n; continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                var pfd = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
                if poll(&pfd, 1, writeTimeoutMilliseconds) > 0 { continue }
            }
            return false
        }
        return true
    }
}
