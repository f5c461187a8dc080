#if canImport(Glibc)
import Glibc
#endif

/// The client's socket address written as Go's `net/http` writes `Request.RemoteAddr`
/// (`127.0.0.1:52144`, `[::1]:52144`), so request log lines read like kube-apiserver's.
enum ClientAddress {
    static func describe(_ address: UnsafePointer<sockaddr>?) -> String {
        guard let address else { return "" }
        func string(_ text: [CChar]) -> String { String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var ip = v4.pointee.sin_addr
                guard inet_ntop(AF_INET, &ip, &text, socklen_t(text.count)) != nil else { return "" }
                return "\(string(text)):\(UInt16(bigEndian: v4.pointee.sin_port))"
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var ip = v6.pointee.sin6_addr
                guard inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count)) != nil else { return "" }
                return "[\(string(text))]:\(UInt16(bigEndian: v6.pointee.sin6_port))"
            }
        default:
            return ""
        }
    }
}
