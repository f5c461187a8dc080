/// An exact signed decimal: `digits × 10^exponent`, with arbitrarily many digits, standing in for
/// the inf.Dec that upstream's Quantity falls back to. Only the few operations quantities need.
///
/// Invariant: `digits` has no leading zeros; zero is the empty array, never negative, exponent 0.
struct DecimalAmount: Sendable, Hashable {
    private(set) var negative: Bool
    /// Decimal digits, most significant first, each 0...9.
    private(set) var digits: [UInt8]
    private(set) var exponent: Int

    static let zero = DecimalAmount(negative: false, digits: [], exponent: 0)

    init(negative: Bool, digits: [UInt8], exponent: Int) {
        let trimmed = Array(digits.drop(while: { $0 == 0 }))
        self.digits = trimmed
        self.negative = trimmed.isEmpty ? false : negative
        self.exponent = trimmed.isEmpty ? 0 : exponent
    }

    init(_ value: Int64, exponent: Int = 0) {
        let text = String(value.magnitude)
        self.init(negative: value < 0, digits: text.utf8.map { $0 - UInt8(ascii: "0") }, exponent: exponent)
    }

    var isZero: Bool { digits.isEmpty }
    var sign: Int { isZero ? 0 : (negative ? -1 : 1) }
    var magnitude: DecimalAmount { DecimalAmount(negative: false, digits: digits, exponent: exponent) }
    func negated() -> DecimalAmount { DecimalAmount(negative: !negative, digits: digits, exponent: exponent) }

    /// Moves trailing zero digits into the exponent.
    func stripped() -> DecimalAmount {
        var d = digits, e = exponent
        while let last = d.last, last == 0 { d.removeLast(); e += 1 }
        return DecimalAmount(negative: negative, digits: d, exponent: e)
    }

    /// The same value written with exactly `exponent` (which must not exceed the current one).
    func withExponent(_ target: Int) -> DecimalAmount {
        precondition(target <= exponent)
        return DecimalAmount(negative: negative, digits: digits + Array(repeating: 0, count: exponent - target), exponent: target)
    }

    /// Rounds away from zero so that the exponent is at least `scale` (upstream inf.RoundUp).
    /// Returns the rounded value and whether it is exact.
    func roundedUp(toScale scale: Int) -> (DecimalAmount, Bool) {
        guard exponent < scale, !isZero else { return (self, true) }
        let drop = scale - exponent
        if drop >= digits.count {
            return (DecimalAmount(negative: negative, digits: [1], exponent: scale), false)
        }
        let kept = Array(digits[..<(digits.count - drop)])
        let exact = digits[(digits.count - drop)...].allSatisfy { $0 == 0 }
        let result = DecimalAmount(negative: negative, digits: kept, exponent: scale)
        return (exact ? result : result.addingOneUnit(), exact)
    }

    /// Adds one unit of the last digit to the magnitude.
    private func addingOneUnit() -> DecimalAmount {
        var d = digits
        var i = d.count - 1
        while i >= 0 {
            if d[i] == 9 { d[i] = 0; i -= 1 } else { d[i] += 1; break }
        }
        if i < 0 { d.insert(1, at: 0) }
        return DecimalAmount(negative: negative, digits: d, exponent: exponent)
    }

    /// Multiplies the magnitude by a small factor (at most 2^60).
    func multiplied(by factor: UInt64) -> DecimalAmount {
        var result: [UInt8] = []
        result.reserveCapacity(digits.count + 20)
        var carry: UInt64 = 0
        for digit in digits.reversed() {
            let product = UInt64(digit) * factor + carry
            result.append(UInt8(product % 10))
            carry = product / 10
        }
        while carry > 0 { result.append(UInt8(carry % 10)); carry /= 10 }
        return DecimalAmount(negative: negative, digits: result.reversed(), exponent: exponent)
    }

    /// Divides an integer magnitude (exponent >= 0 expanded) by a small divisor.
    func dividedInteger(by divisor: UInt64) -> (quotient: DecimalAmount, remainder: UInt64) {
        let whole = exponent > 0 ? withExponent(0) : self
        precondition(whole.exponent == 0)
        var quotient: [UInt8] = []
        var remainder: UInt64 = 0
        for digit in whole.digits {
            let current = remainder * 10 + UInt64(digit)
            quotient.append(UInt8(current / divisor))
            remainder = current % divisor
        }
        return (DecimalAmount(negative: negative, digits: quotient, exponent: 0), remainder)
    }

    /// Numeric comparison.
    static func compare(_ a: DecimalAmount, _ b: DecimalAmount) -> Int {
        if a.sign != b.sign { return a.sign < b.sign ? -1 : 1 }
        if a.isZero { return 0 }
        let m = compareMagnitudes(a.stripped(), b.stripped())
        return a.negative ? -m : m
    }

    private static func compareMagnitudes(_ a: DecimalAmount, _ b: DecimalAmount) -> Int {
        // The position of the leading digit decides unless both are equal.
        let aTop = a.digits.count + a.exponent, bTop = b.digits.count + b.exponent
        if aTop != bTop { return aTop < bTop ? -1 : 1 }
        let common = min(a.exponent, b.exponent)
        let x = a.withExponent(common).digits, y = b.withExponent(common).digits
        if x.count != y.count { return x.count < y.count ? -1 : 1 }
        for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
        return 0
    }

    /// The integer digits as text (exponent must be >= 0), without sign.
    var integerText: String {
        let whole = exponent > 0 ? withExponent(0) : self
        return whole.digits.isEmpty ? "0" : String(decoding: whole.digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
    }

    /// The magnitude rounded up to an integer, saturated at Int64's range, with the sign applied.
    func scaledInt64(scale: Int) -> Int64 {
        let (rounded, _) = DecimalAmount(negative: negative, digits: digits, exponent: exponent - scale).roundedUp(toScale: 0)
        if rounded.isZero { return 0 }
        if rounded.digits.count + rounded.exponent > 19 { return negative ? Int64.min : Int64.max }
        guard let magnitude = UInt64(rounded.integerText) else { return negative ? Int64.min : Int64.max }
        if negative { return magnitude > UInt64(Int64.max) + 1 ? Int64.min : Int64(truncatingIfNeeded: 0 &- magnitude) }
        return magnitude > UInt64(Int64.max) ? Int64.max : Int64(magnitude)
    }

    var doubleValue: Double {
        var value = 0.0
        for digit in digits { value = value * 10 + Double(digit) }
        var scaled = value
        if exponent != 0 {
            var p = 1.0
            for _ in 0..<min(abs(exponent), 400) { p *= 10 }
            scaled = exponent > 0 ? value * p : value / p
        }
        return negative ? -scaled : scaled
    }
}
