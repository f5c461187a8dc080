import APIMachinery

/// Upstream ValidateNonSpecialIP: endpoint addresses may not be unspecified, loopback or link-local.
enum SpecialIP {
    static func validateNonSpecial(_ ip: String, _ path: FieldPath) -> [FieldError] {
        let lower = ip.lowercased()
        if ip == "0.0.0.0" || lower == "::" {
            return [.invalid(path, ip, "may not be unspecified (0.0.0.0, ::)")]
        }
        if ip.hasPrefix("127.") || lower == "::1" {
            return [.invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)")]
        }
        if ip.hasPrefix("169.254.") || lower.hasPrefix("fe80:") {
            return [.invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)")]
        }
        if ip.hasPrefix("224.0.0.") || lower.hasPrefix("ff02:") {
            return [.invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")]
        }
        return []
    }
}
