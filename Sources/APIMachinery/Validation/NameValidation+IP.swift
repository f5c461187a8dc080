extension NameValidation {
    static let invalidIPMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"

    /// Upstream IsValidIP: anything k8s.io/utils/net.ParseIPSloppy accepts (IPv4 octets may carry
    /// leading zeros, read as decimal; IPv6 in any RFC 4291 text form, with an IPv4 tail allowed).
    public static func isValidIP(_ s: String) -> [String] {
        isValidIPv4(s) || isValidIPv6(s) ? [] : [invalidIPMessage]
    }

    /// Dotted-quad IPv4 as ParseIPSloppy reads it.
    public static func isValidIPv4(_ s: String) -> Bool {
        let parts = s.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.allSatisfy(CharacterRules.isDigit) else { return false }
            var value = 0
            for digit in part {
                value = value * 10 + Int(digit - UInt8(ascii: "0"))
                if value > 255 { return false }
            }
            return true
        }
    }

    /// IPv6 text form: eight groups of 1-4 hex digits, one `::` standing for one or more zero groups,
    /// and optionally a dotted-quad IPv4 address in place of the last two groups. No zone (`%eth0`).
    public static func isValidIPv6(_ s: String) -> Bool {
        guard s.contains(":") else { return false }
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ text: String, allowIPv4Tail: Bool) -> Int? {
            if text.isEmpty { return 0 }
            let fields = text.split(separator: ":", omittingEmptySubsequences: false)
            var count = 0
            for (i, field) in fields.enumerated() {
                if i == fields.count - 1, allowIPv4Tail, field.contains(".") {
                    guard isValidIPv4(String(field)) else { return nil }
                    count += 2
                } else {
                    guard (1...4).contains(field.utf8.count), field.allSatisfy(\.isHexDigit), field.allSatisfy(\.isASCII) else { return nil }
                    count += 1
                }
            }
            return count
        }
        if halves.count == 1 {
            return groups(s, allowIPv4Tail: true) == 8
        }
        guard let head = groups(halves[0], allowIPv4Tail: false), let tail = groups(halves[1], allowIPv4Tail: true) else { return false }
        return head + tail <= 7
    }
}
