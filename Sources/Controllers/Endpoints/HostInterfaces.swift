import Foundation
import Glibc

/// The host's addresses, for choosing an advertise address as kube-apiserver's ChooseHostInterface does,
/// and for telling an operator where a wildcard `--bind-address` actually listens.
public enum HostInterfaces {
    /// The first IPv4 address of an up, non-loopback, non-link-local interface, in the system's interface order.
    static func firstIPv4() -> String? {
        ipv4Addresses().first { !$0.hasPrefix("127.") && !$0.hasPrefix("169.254.") }
    }

    /// Every IPv4 address of an up interface (loopback included), in the system's interface order;
    /// empty when the interfaces cannot be read.
    public static func ipv4Addresses() -> [String] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0 else { return [] }
        defer { freeifaddrs(head) }
        var addresses: [String] = []
        var cursor = head
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard Int32(entry.pointee.ifa_flags) & Int32(IFF_UP) != 0,
                  let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var ipv4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            guard inet_ntop(AF_INET, &ipv4, &buffer, socklen_t(INET_ADDRSTRLEN)) != nil else { continue }
            addresses.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return addresses
    }
}
