import Glibc

/// Textual IP addresses as Kubernetes objects hold them (`10.244.0.5`, `fd00::5`), parsed and printed
/// with the C library so both families follow the usual rules.
enum IPAddressText {
    /// The address bytes (4 or 16), or nil when `text` is not an address.
    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// The canonical text of 4 or 16 address bytes.
    static func format(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        var buffer = [CChar](repeating: 0, count: 64)
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The address a reverse name stands for (`5.0.244.10.in-addr.arpa` → 10.244.0.5; 32 nibbles
    /// under `ip6.arpa`), or nil when the name is not a complete reverse name.
    static func fromReverse(_ name: DNSName) -> [UInt8]? {
        let labels = name.lowercased.labels.map { String(decoding: $0, as: UTF8.self) }
        if labels.count == 6, labels.suffix(2) == ["in-addr", "arpa"] {
            let octets = labels.prefix(4).reversed().compactMap { $0.count <= 3 && $0.allSatisfy(\.isNumber) ? UInt8($0) : nil }
            return octets.count == 4 ? octets : nil
        }
        if labels.count == 34, labels.suffix(2) == ["ip6", "arpa"] {
            let nibbles = labels.prefix(32).reversed().compactMap { $0.count == 1 ? UInt8($0, radix: 16) : nil }
            guard nibbles.count == 32 else { return nil }
            return stride(from: 0, to: 32, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
        }
        return nil
    }

    /// True for names under `in-addr.arpa` or `ip6.arpa`, which never hold forward records.
    static func isReverse(_ name: DNSName) -> Bool {
        name.isSubdomain(of: DNSName("in-addr.arpa")) || name.isSubdomain(of: DNSName("ip6.arpa"))
    }
}
