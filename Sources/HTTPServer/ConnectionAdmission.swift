import CMicroHTTPD
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Counts open connections and refuses a client address more than `limitPerAddress` of them, so one
/// remote client cannot take every connection the server has. libmicrohttpd's own per-IP limit
/// counts loopback too, but local tests and benchmarks open 10,000 watches from 127.0.0.1 (and a
/// local client can exhaust the process's descriptors anyway): loopback addresses are not limited.
///
/// The accept policy only reads the count; libmicrohttpd's connection notifications, which come
/// right after it on the same thread for an admitted connection and once more when it closes, move
/// it. So a count never leaks for a connection refused after the policy (at the global limit).
final class ConnectionAdmission: @unchecked Sendable {
    /// 0: no per-address limit.
    let limitPerAddress: Int
    private let lock = NSLock()
    private var perAddress: [String: Int] = [:]
    private var open = 0

    init(limitPerAddress: Int) {
        self.limitPerAddress = limitPerAddress
    }

    /// Connections open now (admitted and not yet closed), loopback ones included.
    var openConnections: Int {
        lock.lock(); defer { lock.unlock() }
        return open
    }

    func admits(_ address: String?) -> Bool {
        guard limitPerAddress > 0, let address else { return true }
        lock.lock(); defer { lock.unlock() }
        return perAddress[address, default: 0] < limitPerAddress
    }

    func opened(_ address: String?) {
        lock.lock(); defer { lock.unlock() }
        open += 1
        if limitPerAddress > 0, let address { perAddress[address, default: 0] += 1 }
    }

    func closed(_ address: String?) {
        lock.lock(); defer { lock.unlock() }
        open -= 1
        guard limitPerAddress > 0, let address, let count = perAddress[address] else { return }
        perAddress[address] = count > 1 ? count - 1 : nil
    }

    /// The address a connection is counted under: its IP without the port, nil for loopback.
    static func key(_ address: UnsafePointer<sockaddr>?) -> String? {
        guard let address else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var ip = v4.pointee.sin_addr
                // 127.0.0.0/8: the first byte of the address in network order.
                if UInt32(bigEndian: ip.s_addr) >> 24 == 127 { return nil }
                guard inet_ntop(AF_INET, &ip, &text, socklen_t(text.count)) != nil else { return nil }
                return String(cString: text)
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var ip = v6.pointee.sin6_addr
                guard inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count)) != nil else { return nil }
                let string = String(cString: text)
                return string == "::1" || string.hasPrefix("::ffff:127.") ? nil : string
            }
        default:
            return nil
        }
    }
}

extension MicroHTTPServer {
    /// libmicrohttpd's accept policy: refuses (closes at once) a connection over its address's limit.
    static let acceptPolicy: MHD_AcceptPolicyCallback = { cls, address, _ in
        guard let cls else { return MHD_Result.YES }
        let server = Unmanaged<MicroHTTPServer>.fromOpaque(cls).takeUnretainedValue()
        return server.admission.admits(ConnectionAdmission.key(address)) ? MHD_Result.YES : MHD_Result.NO
    }

    /// Connection start and close. The address key is kept in the connection's socket context so
    /// the close is counted under the same key as the start.
    static let connectionNotification: MHD_NotifyConnectionCallback = { cls, connection, socketContext, code in
        guard let cls, let socketContext else { return }
        let server = Unmanaged<MicroHTTPServer>.fromOpaque(cls).takeUnretainedValue()
        final class Key { let address: String; init(_ address: String) { self.address = address } }
        if let connection {
            if code == MHD_ConnectionNotificationCode.CONNECTION_NOTIFY_STARTED {
                server.headDeadline?.connectionStarted(connection)
            } else {
                server.headDeadline?.forget(connection)
            }
        }
        if code == MHD_ConnectionNotificationCode.CONNECTION_NOTIFY_STARTED {
            let address = connection.flatMap { ConnectionAdmission.key(kubelite_connection_client_address($0)) }
            // Nothing is allocated for loopback connections (10,000 idle watches in the benchmarks).
            socketContext.pointee = address.map { Unmanaged.passRetained(Key($0)).toOpaque() }
            server.admission.opened(address)
        } else {
            let address = socketContext.pointee.map { Unmanaged<Key>.fromOpaque($0).takeRetainedValue().address }
            socketContext.pointee = nil
            server.admission.closed(address)
            server.acceptor?.connectionClosed()
        }
    }
}
