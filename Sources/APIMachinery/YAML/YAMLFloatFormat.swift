/// Go's strconv.FormatFloat(f, 'g', -1, bits): shortest digits, exponent form when the exponent is
/// below -4 or at least 6 (the shortest-precision rule), exponents with a sign and two digits.
enum YAMLFloatFormat {
    static func shortestG(_ value: Double, float32: Bool) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let text = float32 ? "\(Float(value))" : "\(value)"
        var (digits, exponent) = decompose(text)
        let negative = value < 0
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let exp = exponent
        var out: String
        if exp < -4 || exp >= 6 {
            out = String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            let e = abs(exp)
            out += (exp < 0 ? "e-" : "e+") + (e < 10 ? "0\(e)" : "\(e)")
        } else if exp < 0 {
            out = "0." + String(repeating: "0", count: -exp - 1) + digits
        } else if digits.count <= exp + 1 {
            out = digits + String(repeating: "0", count: exp + 1 - digits.count)
        } else {
            let cut = digits.index(digits.startIndex, offsetBy: exp + 1)
            out = digits[..<cut] + "." + digits[cut...]
        }
        return negative ? "-" + out : out
    }

    /// Significant digits and the decimal exponent of the first digit, from Swift's shortest description.
    private static func decompose(_ text: String) -> (String, Int) {
        var t = Substring(text)
        if t.first == "-" { t = t.dropFirst() }
        var exponent = 0
        if let e = t.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(t[t.index(after: e)...]) ?? 0
            t = t[..<e]
        }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var all = intPart + fracPart
        var pointPos = intPart.count
        while all.first == "0", all.count > 1 { all.removeFirst(); pointPos -= 1 }
        return (all, exponent + pointPos - 1)
    }
}
