extension Quantity {
    /// Upstream String(): the canonical text. No precision is lost, no fraction is printed, and the
    /// exponent or suffix is as large as possible within the quantity's format: `1536Mi`, `1500m`,
    /// `1e3`. BinarySI values under 1024 in magnitude, or not integers, print as DecimalSI. Values
    /// beyond the largest suffix (E, Ei) or below `n` fall back to exponent notation, as current
    /// upstream does.
    public var canonical: String {
        if let parsedText { return parsedText }
        if amount.isZero { return "0" }
        var format = self.format
        var value = amount
        if format == .binarySI {
            if DecimalAmount.compare(amount.magnitude, DecimalAmount(1024)) < 0 {
                format = .decimalSI
            } else {
                let (rounded, exact) = amount.roundedUp(toScale: 0)
                if exact { value = rounded } else { format = .decimalSI }
            }
        }
        let sign = value.negative ? "-" : ""
        if format == .binarySI {
            var mantissa = value.magnitude
            var power = 0
            while true {
                let (quotient, remainder) = mantissa.dividedInteger(by: 1024)
                if remainder != 0 || quotient.isZero { break }
                mantissa = quotient
                power += 1
            }
            if power == 0 { return sign + mantissa.integerText }
            if let suffix = Self.binarySuffixes.first(where: { $0.value == power * 10 })?.key {
                return sign + mantissa.integerText + suffix
            }
            return Self.base10Text(value, format: .decimalExponent)
        }
        return Self.base10Text(value, format: format)
    }

    /// Upstream AsCanonicalBytes plus the suffix: factors of ten move into the exponent, which is then
    /// lowered to a multiple of three.
    static func base10Text(_ value: DecimalAmount, format: Format) -> String {
        var mantissa = value.stripped()
        var exponent = mantissa.exponent
        while exponent % 3 != 0 { exponent -= 1 }
        mantissa = mantissa.withExponent(exponent)
        let digits = String(decoding: mantissa.digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
        let sign = value.negative ? "-" : ""
        if format == .decimalSI, let suffix = decimalSuffixes.first(where: { $0.value == exponent })?.key {
            return sign + digits + suffix
        }
        return sign + digits + (exponent == 0 ? "" : "e\(exponent)")
    }
}
