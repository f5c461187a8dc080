import Foundation

/// go-yaml v2's resolution of scalars (resolve.go) into the values sigs.k8s.io/yaml turns into JSON.
enum YAMLScalar: Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float(Double)
    case string(String)

    static let boolValues: [String: Bool] = {
        var map: [String: Bool] = [:]
        for s in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"] { map[s] = true }
        for s in ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] { map[s] = false }
        return map
    }()
    static let nullValues: Set<String> = ["", "~", "null", "Null", "NULL"]
    static let specialFloats: [String: Double] = [
        ".nan": .nan, ".NaN": .nan, ".NAN": .nan,
        ".inf": .infinity, ".Inf": .infinity, ".INF": .infinity,
        "+.inf": .infinity, "+.Inf": .infinity, "+.INF": .infinity,
        "-.inf": -.infinity, "-.Inf": -.infinity, "-.INF": -.infinity,
    ]

    /// Resolves an untagged plain scalar.
    static func resolvePlain(_ text: String) -> YAMLScalar {
        if let b = boolValues[text] { return .bool(b) }
        if nullValues.contains(text) { return .null }
        if let f = specialFloats[text] { return .float(f) }
        guard let first = text.unicodeScalars.first else { return .null }
        switch first {
        case "0"..."9", "+", "-":
            let plain = text.replacingOccurrences(of: "_", with: "")
            if let i = parseGoInt(plain) { return .int(i) }
            if let u = parseGoUInt(plain) { return .uint(u) }
            if isYAMLFloat(plain), let f = Double(plain) { return .float(f) }
            if plain.hasPrefix("0b"), let i = Int64(plain.dropFirst(2), radix: 2) { return .int(i) }
            if plain.hasPrefix("-0b"), let i = Int64("-" + plain.dropFirst(3), radix: 2) { return .int(i) }
            return .string(text)
        case ".":
            if let f = Double(text), text.count > 1, !text.contains("_") { return .float(f) }
            return .string(text)
        default:
            return .string(text)
        }
    }

    /// strconv.ParseInt(s, 0, 64): optional sign, then `0x`, `0o`, `0b`, a leading `0` (octal) or decimal.
    static func parseGoInt(_ s: String) -> Int64? {
        var body = Substring(s)
        var negative = false
        if let c = body.first, c == "+" || c == "-" { negative = c == "-"; body = body.dropFirst() }
        guard let magnitude = parseGoMagnitude(body) else { return nil }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// strconv.ParseUint(s, 0, 64): no sign allowed.
    static func parseGoUInt(_ s: String) -> UInt64? {
        guard let c = s.first, c != "+", c != "-" else { return nil }
        return parseGoMagnitude(Substring(s))
    }

    private static func parseGoMagnitude(_ body: Substring) -> UInt64? {
        guard !body.isEmpty else { return nil }
        let lower = body.lowercased()
        if lower.hasPrefix("0x") { return UInt64(body.dropFirst(2), radix: 16) }
        if lower.hasPrefix("0o") { return UInt64(body.dropFirst(2), radix: 8) }
        if lower.hasPrefix("0b") { return UInt64(body.dropFirst(2), radix: 2) }
        if body.count > 1, body.first == "0" { return UInt64(body.dropFirst(), radix: 8) }
        guard body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(body)
    }

    /// go-yaml's yamlStyleFloat: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    static func isYAMLFloat(_ s: String) -> Bool {
        var u = Array(s.utf8)[...]
        func digits() -> Int { var n = 0; while let c = u.first, c >= 48, c <= 57 { u = u.dropFirst(); n += 1 }; return n }
        if let c = u.first, c == 43 || c == 45 { u = u.dropFirst() }
        if u.first == 46 {
            u = u.dropFirst()
            guard digits() > 0 else { return false }
        } else {
            guard digits() > 0 else { return false }
            if u.first == 46 { u = u.dropFirst(); _ = digits() }
        }
        if let c = u.first, c == 101 || c == 69 {
            u = u.dropFirst()
            if let c = u.first, c == 43 || c == 45 { u = u.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return u.isEmpty
    }

    /// go-yaml's isBase60Float: `1:20` must stay quoted when written.
    static func isBase60Float(_ s: String) -> Bool {
        guard s.contains(":"), let first = s.first, first == "+" || first == "-" || first.isASCII && first.isNumber else { return false }
        var body = Substring(s)
        if first == "+" || first == "-" { body = body.dropFirst() }
        let (main, fraction) = body.firstIndex(of: ".").map { (body[..<$0], body[body.index(after: $0)...]) } ?? (body, nil)
        if let fraction, !fraction.allSatisfy({ $0 == "_" || $0.isASCII && $0.isNumber }) { return false }
        let parts = main.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, let head = parts.first, let h = head.first, h.isASCII, h.isNumber,
              head.allSatisfy({ $0 == "_" || $0.isASCII && $0.isNumber }) else { return false }
        for part in parts.dropFirst() {
            guard (1...2).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            if part.count == 2, let d = part.first, d > "5" { return false }
        }
        return true
    }

    /// The short tag name go-yaml uses in messages (`!!int`).
    var shortTag: String {
        switch self {
        case .null: return "!!null"
        case .bool: return "!!bool"
        case .int, .uint: return "!!int"
        case .float: return "!!float"
        case .string: return "!!str"
        }
    }
}
