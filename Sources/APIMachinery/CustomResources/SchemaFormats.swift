import Foundation

/// The string formats CRD schemas validate (apiextensions' supportedVersionedFormats, checked with
/// kube-openapi's strfmt registry). Any other format, including the numeric `int32`, `int64`, `float`
/// and `double`, is stripped before validation upstream, so it constrains nothing here either.
enum SchemaFormats {
    /// Whether `value` has `format`, or nil when the format is not validated.
    static func check(format: String, _ value: String) -> Bool? {
        // go-openapi normalizes format names by dropping dashes: date-time is datetime.
        switch format.replacingOccurrences(of: "-", with: "") {
        case "password": return true
        case "byte": return Base64Syntax.error(in: value) == nil
        case "ipv4": return isIPv4(value)
        case "ipv6": return value.contains(":") && NameValidation.isValidIPv6(value)
        case "cidr": return isCIDR(value)
        case "mac": return matches(macPattern, value)
        case "uuid": return matches(uuidPattern, value)
        case "uuid3": return matches(uuid3Pattern, value)
        case "uuid4": return matches(uuid4Pattern, value)
        case "uuid5": return matches(uuid5Pattern, value)
        case "hostname": return matches(hostnamePattern, value)
        case "email": return isEmail(value)
        case "uri": return isRequestURI(value)
        case "date": return matches(datePattern, value) && validCalendarDate(value)
        case "datetime": return matches(dateTimePattern, value) && validCalendarDate(String(value.prefix(10)))
        case "duration": return isDuration(value)
        case "hexcolor": return matches(hexColorPattern, value)
        case "rgbcolor": return matches(rgbColorPattern, value)
        case "ssn": return matches(ssnPattern, value)
        case "bsonobjectid": return matches(objectIDPattern, value)
        // isbn, isbn10, isbn13 and creditcard carry checksums Kubelite does not compute.
        default: return nil
        }
    }

    private static func regex(_ p: String) -> NSRegularExpression { try! NSRegularExpression(pattern: p) }
    private static func matches(_ r: NSRegularExpression, _ s: String) -> Bool { SchemaValueValidator.matches(r, s) }

    private static let uuidPattern = regex("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
    private static let uuid3Pattern = regex("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
    private static let uuid4Pattern = regex("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$")
    private static let uuid5Pattern = regex("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$")
    private static let hostnamePattern = regex(#"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$"#)
    private static let macPattern = regex("^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{4}\\.){2}[0-9A-Fa-f]{4}$|^([0-9A-Fa-f]{2}[:-]){7}[0-9A-Fa-f]{2}$")
    private static let datePattern = regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    /// RFC 3339 date-time, also accepting the forms strfmt's ParseDateTime tries (space separator, no zone).
    private static let dateTimePattern = regex(#"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?$"#)
    private static let hexColorPattern = regex("^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
    private static let rgbColorPattern = regex(#"^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$"#)
    private static let ssnPattern = regex(#"^\d{3}[- ]?\d{2}[- ]?\d{4}$"#)
    private static let objectIDPattern = regex("^[0-9a-fA-F]{24}$")
    private static let emailPattern = regex(#"^[^\s@<>()\[\]\\,;:"]+@[^\s@<>()\[\]\\,;:"]+$"#)

    /// Go's net.ParseIP for IPv4: four decimal octets, no leading zeros.
    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { p in
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), p.allSatisfy(\.isNumber), let v = Int(p), v <= 255 else { return false }
            return p.count == 1 || p.first != "0"
        }
    }

    private static func isCIDR(_ s: String) -> Bool {
        guard let slash = s.lastIndex(of: "/") else { return false }
        let ip = String(s[..<slash]), bits = s[s.index(after: slash)...]
        guard let n = Int(bits), !bits.isEmpty, bits.allSatisfy(\.isNumber) else { return false }
        if isIPv4(ip) { return n <= 32 }
        if ip.contains(":"), NameValidation.isValidIPv6(ip) { return n <= 128 }
        return false
    }

    /// net/mail.ParseAddress accepts more (display names); a bare address is what CRDs see in practice.
    private static func isEmail(_ s: String) -> Bool {
        if let open = s.lastIndex(of: "<"), s.hasSuffix(">") {
            return matches(emailPattern, String(s[s.index(after: open)..<s.index(before: s.endIndex)]))
        }
        return matches(emailPattern, s)
    }

    /// net/url.ParseRequestURI: an absolute URI (scheme:...) or an absolute path.
    private static func isRequestURI(_ s: String) -> Bool {
        if s.hasPrefix("/") { return !s.contains(" ") }
        guard let colon = s.firstIndex(of: ":"), colon != s.startIndex else { return false }
        let scheme = s[..<colon]
        guard scheme.first!.isLetter, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return false }
        return !s.contains(" ")
    }

    private static func validCalendarDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), parts[2] >= 1 else { return false }
        let leap = parts[0] % 4 == 0 && (parts[0] % 100 != 0 || parts[0] % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][parts[1] - 1]
        return parts[2] <= days
    }

    /// strfmt's duration: Go's time.ParseDuration, or a number and unit with optional space ("3 days").
    private static let durationPattern = regex(#"^[0-9]+\s*(ns|us|µs|ms|s|m|h|d|w|nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?)$"#)
    private static let goDurationPattern = regex(#"^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$"#)
    private static func isDuration(_ s: String) -> Bool {
        s == "0" || matches(goDurationPattern, s) || matches(durationPattern, s)
    }
}
