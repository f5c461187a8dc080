/// The syntax check upstream's `resource.ParseQuantity` makes when a Quantity is decoded, with its
/// exact error texts, and the string a JSON number becomes when it is sent as a Quantity.
///
/// Only syntax is checked here: canonicalisation of string quantities (`1000m` → `1`) is not done.
enum QuantitySyntax {
    static let formatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    static let suffixWrong = "unable to parse quantity's suffix"

    private static let suffixCharacters = Set("eEinumkKMGTP".utf8)
    private static let namedSuffixes: Set<String> = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"]

    /// nil when `text` parses as a quantity, otherwise upstream's error message. Mirrors
    /// parseQuantityString: sign, digits, optional fraction, suffix letters, optional signed exponent digits.
    static func error(in raw: String) -> String? {
        let text = Array(Array(raw.utf8).trimmingSpaces())
        if text.isEmpty { return formatWrong }
        if text == [UInt8(ascii: "0")] { return nil }
        var pos = 0
        let end = text.count
        if text[0] == UInt8(ascii: "-") || text[0] == UInt8(ascii: "+") { pos += 1 }
        while pos < end, text[pos].isDigit { pos += 1 }
        if pos < end, text[pos] == UInt8(ascii: ".") {
            pos += 1
            while pos < end, text[pos].isDigit { pos += 1 }
        }
        let suffixStart = pos
        while pos < end, suffixCharacters.contains(text[pos]) { pos += 1 }
        if pos < end, text[pos] == UInt8(ascii: "-") || text[pos] == UInt8(ascii: "+") { pos += 1 }
        while pos < end, text[pos].isDigit { pos += 1 }
        if pos < end { return formatWrong }
        let suffix = String(decoding: text[suffixStart...], as: UTF8.self)
        if namedSuffixes.contains(suffix) { return nil }
        if suffix.count > 1, suffix.first == "e" || suffix.first == "E", Int64(suffix.dropFirst()) != nil { return nil }
        return suffixWrong
    }

    /// A number sent for a Quantity, in upstream's canonical decimal form: the mantissa kept
    /// whole with the exponent a multiple of three (`1000` → `1k`, `0.5` → `500m`, `6379` → `6379`),
    /// fractions below nano rounded up to `n` as upstream does.
    static func string(for number: JSON) -> String {
        switch number {
        case .int(let i): return canonical(mantissa: i, exponent: 0)
        case .double(let d):
            let text = String(d)
            guard !text.contains("e"), !d.isNaN, !d.isInfinite else {
                let nano = (d * 1e9).rounded(.up)
                return abs(nano) < 9.0e15 ? canonical(mantissa: Int64(nano), exponent: -9) : text
            }
            let negative = text.hasPrefix("-")
            let parts = text.drop(while: { $0 == "-" }).split(separator: ".", omittingEmptySubsequences: false)
            var fraction = parts.count > 1 ? String(parts[1]) : ""
            while fraction.hasSuffix("0") { fraction.removeLast() }
            var roundUp = false
            if fraction.count > 9 {
                roundUp = fraction.dropFirst(9).contains { $0 != "0" }
                fraction = String(fraction.prefix(9))
            }
            let digits = fraction.count
            let exponent = digits == 0 ? 0 : -((digits + 2) / 3) * 3
            fraction += String(repeating: "0", count: -exponent - digits)
            guard var mantissa = Int64(String(parts[0]) + fraction) else { return text }
            if roundUp { mantissa += 1 }
            return canonical(mantissa: negative ? -mantissa : mantissa, exponent: exponent)
        default: return ""
        }
    }

    private static func canonical(mantissa: Int64, exponent: Int) -> String {
        var mantissa = mantissa
        var exponent = exponent
        while mantissa != 0, mantissa % 1000 == 0, exponent < 18 {
            mantissa /= 1000
            exponent += 3
        }
        let suffixes = [-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"]
        return "\(mantissa)\(suffixes[exponent] ?? "e\(exponent)")"
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
}

extension Array where Element == UInt8 {
    fileprivate func trimmingSpaces() -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0a || $0 == 0x0d || $0 == 0x0b || $0 == 0x0c }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return [] }
        return self[first...last]
    }
}
