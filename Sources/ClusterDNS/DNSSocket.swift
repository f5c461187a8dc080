import Glibc

/// A failure to set up the DNS server's sockets, with the C library's reason.
public struct ClusterDNSSocketError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ what: String, errno code: Int32 = errno) {
        description = "\(what): \(String(cString: strerror(code)))"
    }
    init(message: String) { description = message }
}

/// The thin layer over POSIX sockets: the only DNS code holding raw pointers. File descriptors are
/// plain `Int32`s owned by `ClusterDNSServer`.
enum DNSSocket {
    #if canImport(Glibc)
    static let datagram = Int32(SOCK_DGRAM.rawValue)
    static let stream = Int32(SOCK_STREAM.rawValue)
    static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    static let datagram = SOCK_DGRAM
    static let stream = SOCK_STREAM
    static let noSignal: Int32 = 0
    #endif

    /// A socket of `type` bound to a numeric `address` and `port` (0: the system picks), listening
    /// when it is a stream socket. Returns the descriptor and the bound port.
    static func bind(address: String, port: UInt16, type: Int32) throws(ClusterDNSSocketError) -> (Int32, UInt16) {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = type
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(address, String(port), &hints, &list)
        guard rc == 0, let info = list else {
            throw ClusterDNSSocketError(message: "invalid bind address \(address): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, type, 0)
        guard fd >= 0 else { throw ClusterDNSSocketError("socket") }
        var one: Int32 = 1
        if type == stream { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
        #if canImport(Glibc)
        let bound = Glibc.bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
        #else
        let bound = Darwin.bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
        #endif
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw ClusterDNSSocketError("bind \(address):\(port)", errno: code)
        }
        if type == stream, listen(fd, 128) != 0 {
            let code = errno
            close(fd)
            throw ClusterDNSSocketError("listen", errno: code)
        }
        return (fd, boundPort(fd))
    }

    static func boundPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return 0 }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { raw in
            if family == AF_INET6 {
                return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    /// Waits until `fd` is readable (true) or `wake` is (false: the server is stopping).
    static func waitReadable(_ fd: Int32, wake: Int32) -> Bool {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        while true {
            let n = poll(&fds, 2, -1)
            if n < 0 && errno == EINTR { continue }
            if n < 0 || fds[1].revents != 0 { return false }
            if fds[0].revents != 0 { return true }
        }
    }

    /// Receives one datagram; returns its bytes and the sender, or nil on error.
    static func receive(_ fd: Int32, into buffer: inout [UInt8]) -> ([UInt8], sockaddr_storage, socklen_t)? {
        var from = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let n = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &length) }
            }
        }
        guard n >= 0 else { return nil }
        return (Array(buffer[0..<n]), from, length)
    }

    static func sendDatagram(_ fd: Int32, _ bytes: [UInt8], to address: sockaddr_storage, length: socklen_t) {
        var address = address
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, raw.baseAddress, raw.count, noSignal, $0, length) }
            }
        }
    }

    /// Reads exactly `count` bytes from a stream; nil on end of stream, error or timeout.
    static func readExactly(_ fd: Int32, count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            got += n
        }
        return buffer
    }

    /// Writes all of `bytes` to a stream; false on error.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, noSignal) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Bounds how long a read or write on `fd` may block.
    static func setTimeout(_ fd: Int32, seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
}
