/// Why a quantity failed to parse; the texts are upstream's ErrFormatWrong, ErrNumeric, ErrSuffix.
public enum QuantityParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case formatWrong, numeric, suffix

    public var description: String {
        switch self {
        case .formatWrong: return "quantities must match the regular expression '" + Quantity.splitPattern + "'"
        case .numeric: return "unable to parse numeric part of quantity"
        case .suffix: return "unable to parse quantity's suffix"
        }
    }
}

extension Quantity {
    static let splitPattern = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
    /// 2^63-1: BinarySI quantities are capped there, as upstream's maxAllowed.
    static let maxAllowed = DecimalAmount(Int64.max)

    /// Upstream ParseQuantity, including its rounding (up to nano), its BinarySI cap, and the rule
    /// that text already in canonical form is printed back verbatim.
    public init(parsing text: String) throws(QuantityParseError) {
        if text.isEmpty { throw .formatWrong }
        if text == "0" { self.init(amount: .zero, format: .decimalSI, parsedText: text); return }
        let parts = try Self.split(text)
        let (base, exponent, parsedFormat) = try Self.interpret(parts.suffix)
        var format = parsedFormat
        let numDigits = parts.num.utf8.map { $0 - UInt8(ascii: "0") }
        let denomDigits = parts.denom.utf8.map { $0 - UInt8(ascii: "0") }
        var amount = DecimalAmount(negative: false, digits: numDigits + denomDigits, exponent: -denomDigits.count)
        if base == 10 {
            amount = DecimalAmount(negative: false, digits: amount.digits, exponent: amount.exponent + exponent)
        } else {
            for _ in 0..<(exponent / 30) { amount = amount.multiplied(by: 1 << 30) }
            amount = amount.multiplied(by: 1 << UInt64(exponent % 30))
        }
        amount = amount.roundedUp(toScale: -9).0
        if format == .binarySI {
            if DecimalAmount.compare(amount, Self.maxAllowed) > 0 { amount = Self.maxAllowed }
            if !amount.isZero && DecimalAmount.compare(amount, DecimalAmount(1)) < 0 { format = .decimalSI }
        }
        if !parts.positive { amount = amount.negated() }
        self.init(amount: amount, format: format, parsedText: Self.keepsText(text, parts, exponent: exponent, format: parsedFormat))
    }

    /// Reads a quantity from JSON as upstream's UnmarshalJSON does: a string (surrounding whitespace
    /// ignored) or a bare number.
    public init(json: JSON) throws(QuantityParseError) {
        switch json {
        case .string(let s): try self.init(parsing: s.trimmingASCIIWhitespace())
        case .int(let i): try self.init(parsing: String(i))
        case .double(let d): try self.init(parsing: JSONWriter.formatDouble(d))
        default: throw .formatWrong
        }
    }

    /// Upstream's fast path keeps the input string when it is already canonical by these rules;
    /// so `100m`, `1Ki` and `1e3` print as written, `1000m` and `0.5` do not.
    private static func keepsText(_ text: String, _ parts: Parts, exponent: Int, format: Format) -> String? {
        let shifted = parts.num + parts.denom
        switch format {
        case .decimalSI, .decimalExponent:
            let scale = exponent - parts.denom.utf8.count
            guard 18 - shifted.utf8.count >= 0, scale >= -9 else { return nil }
            return scale % 3 == 0 && !shifted.hasSuffix("000") && !shifted.hasPrefix("0") ? text : nil
        case .binarySI:
            guard parts.denom.isEmpty, 15 - parts.num.utf8.count - Int(Float(exponent) * 3 / 10) - 1 >= 0,
                  let value = Int64(shifted) else { return nil }
            guard value.multipliedReportingOverflow(by: Int64(1) << Int64(exponent)).overflow == false else { return nil }
            return exponent % 10 == 0 && value & 0x07 != 0 ? text : nil
        }
    }

    struct Parts { var positive: Bool; var num: String; var denom: String; var suffix: String }

    /// Upstream parseQuantityString: sign, integer digits (leading zeros dropped), fraction digits,
    /// then a suffix of `eEinumkKMGTP` letters optionally followed by a signed integer.
    static func split(_ text: String) throws(QuantityParseError) -> Parts {
        let s = Array(text.utf8)
        var pos = 0
        var positive = true
        if let first = s.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            positive = first == UInt8(ascii: "+")
            pos = 1
        }
        while pos < s.count, s[pos] == UInt8(ascii: "0") { pos += 1 }
        if pos >= s.count { return Parts(positive: positive, num: "0", denom: "", suffix: "") }
        let numStart = pos
        while pos < s.count, CharacterRules.isDigit(s[pos]) { pos += 1 }
        var num = String(decoding: s[numStart..<pos], as: UTF8.self)
        if num.isEmpty { num = "0" }
        var denom = ""
        if pos < s.count, s[pos] == UInt8(ascii: ".") {
            pos += 1
            let denomStart = pos
            while pos < s.count, CharacterRules.isDigit(s[pos]) { pos += 1 }
            denom = String(decoding: s[denomStart..<pos], as: UTF8.self)
        }
        let suffixStart = pos
        let letters = Set("eEinumkKMGTP".utf8)
        while pos < s.count, letters.contains(s[pos]) { pos += 1 }
        if pos < s.count, s[pos] == UInt8(ascii: "-") || s[pos] == UInt8(ascii: "+") { pos += 1 }
        while pos < s.count, CharacterRules.isDigit(s[pos]) { pos += 1 }
        if pos < s.count { throw .formatWrong }
        return Parts(positive: positive, num: num, denom: denom, suffix: String(decoding: s[suffixStart...], as: UTF8.self))
    }

    static let decimalSuffixes: [String: Int] = ["n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]
    static let binarySuffixes: [String: Int] = ["Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60]

    /// Upstream suffixer.interpret: (base, exponent, format). Exponents beyond ±(2^31-1) are refused,
    /// as current upstream does rather than wrapping them.
    static func interpret(_ suffix: String) throws(QuantityParseError) -> (base: Int, exponent: Int, format: Format) {
        if let e = decimalSuffixes[suffix] { return (10, e, .decimalSI) }
        if let e = binarySuffixes[suffix] { return (2, e, .binarySI) }
        if suffix.utf8.count > 1, let first = suffix.first, first == "e" || first == "E",
           let e = Int64(suffix.dropFirst()), abs(e) <= Int64(Int32.max) {
            return (10, Int(e), .decimalExponent)
        }
        throw .suffix
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
