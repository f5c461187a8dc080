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
        (listener, port) = LoopbackListener.open()
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
