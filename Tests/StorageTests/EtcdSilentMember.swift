import Foundation
import Storage
import Synchronization

/// A member that accepts connections and reads what is sent but never answers, as a stopped
/// (SIGSTOP) etcd whose kernel still completes connections: it counts the connections it took.
final class EtcdSilentMember: Sendable {
    private let listener: Int32
    let port: Int
    private let accepted = Mutex<[Int32]>([])
    var endpoint: EtcdEndpoint { EtcdEndpoint(host: "127.0.0.1", port: port) }
    var connections: Int { accepted.withLock { $0.count } }

    init() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listen(fd, 8)
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 { return }
                accepted.withLock { $0.append(connection) }
            }
        }
        thread.start()
    }

    func stop() {
        _ = shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in accepted.withLock({ $0 }) { close(fd) }
    }
}
