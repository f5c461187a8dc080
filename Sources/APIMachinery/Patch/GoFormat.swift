/// Renders JSON values the way Go's fmt prints the decoded `interface{}` values (`%v` and `%s`),
/// because upstream's patch error messages embed them (`map: map[image:nginx] does not contain
/// declared merge key: name`). Maps print with sorted keys, slices as `[a b]`, nil as `<nil>`.
enum GoFormat {
    enum Verb { case v, s }

    static func format(_ value: JSON?, _ verb: Verb = .v) -> String {
        enum Piece { case value(JSON?), text(String) }
        var out = ""
        var pending: [Piece] = [.value(value)]
        while let piece = pending.popLast() {
            switch piece {
            case .text(let t): out += t
            case .value(let v):
                switch v {
                case .object(let o)?:
                    var parts: [Piece] = [.text("map[")]
                    for (i, k) in o.keys.sorted().enumerated() {
                        if i > 0 { parts.append(.text(" ")) }
                        parts.append(.text(k + ":"))
                        parts.append(.value(o[k]))
                    }
                    parts.append(.text("]"))
                    pending.append(contentsOf: parts.reversed())
                case .array(let a)?:
                    var parts: [Piece] = [.text("[")]
                    for (i, e) in a.enumerated() {
                        if i > 0 { parts.append(.text(" ")) }
                        parts.append(.value(e))
                    }
                    parts.append(.text("]"))
                    pending.append(contentsOf: parts.reversed())
                default:
                    out += scalar(v, verb)
                }
            }
        }
        return out
    }

    private static func scalar(_ value: JSON?, _ verb: Verb) -> String {
        let plain: String
        let typeName: String
        switch value {
        case .string(let s)?: return s
        case nil, .null?: return verb == .v ? "<nil>" : "%!s(<nil>)"
        case .bool(let b)?: plain = b ? "true" : "false"; typeName = "bool"
        case .int(let i)?: plain = String(i); typeName = "int64"
        case .double(let d)?: plain = float(d); typeName = "float64"
        default: return ""
        }
        return verb == .v ? plain : "%!s(\(typeName)=\(plain))"
    }

    /// Go's `%v` for float64 (`%g` with shortest digits): exponent form when the exponent is < -4 or >= 6.
    static func float(_ d: Double) -> String {
        guard d.isFinite else { return d.isNaN ? "NaN" : (d < 0 ? "-Inf" : "+Inf") }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        // Swift's description gives the shortest round-trip digits; take them apart.
        var text = "\(abs(d))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var pointPosition = intPart.count + exponent
        while digits.first == "0", digits.count > 1 { digits.removeFirst(); pointPosition -= 1 }
        while digits.last == "0", digits.count > 1 { digits.removeLast() }
        let sign = d < 0 ? "-" : ""
        let exp10 = pointPosition - 1
        if exp10 < -4 || exp10 >= 6 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let e = abs(exp10) < 10 ? "0\(abs(exp10))" : "\(abs(exp10))"
            return "\(sign)\(mantissa)e\(exp10 < 0 ? "-" : "+")\(e)"
        }
        if pointPosition <= 0 { return sign + "0." + String(repeating: "0", count: -pointPosition) + digits }
        if pointPosition >= digits.count { return sign + digits + String(repeating: "0", count: pointPosition - digits.count) }
        let idx = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<idx] + "." + digits[idx...]
    }

    /// The Go type name `reflect.TypeOf` prints for a decoded value, as in `expected a
    /// map[string]interface {}, but received a string`.
    static func typeName(_ value: JSON?) -> String {
        switch value {
        case nil, .null?: return "%!s(<nil>)"
        case .bool?: return "bool"
        case .int?: return "int64"
        case .double?: return "float64"
        case .string?: return "string"
        case .array?: return "[]interface {}"
        case .object?: return "map[string]interface {}"
        }
    }
}
