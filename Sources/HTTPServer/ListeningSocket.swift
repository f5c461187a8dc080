import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening IPv4 TCP socket handed to libmicrohttpd.
struct ListeningSocket {
    let descriptor: Int32
    let port: UInt16

    static func bind(address: String, port: UInt16) throws -> ListeningSocket {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, address, &addr.sin_addr) == 1 else {
            throw HTTPServerError.invalidBindAddress(address)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError.startFailed(address: address, port: port) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1024) == 0 else {
            Glibc.close(fd)
            throw HTTPServerError.startFailed(address: address, port: port)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return ListeningSocket(descriptor: fd, port: UInt16(bigEndian: actual.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
