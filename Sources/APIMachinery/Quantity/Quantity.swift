/// A resource quantity (`100m`, `1Gi`, `1e3`), mirroring k8s.io/apimachinery/pkg/api/resource.Quantity:
/// an exact decimal (no floating point), at most nano precision (finer input is rounded up, away
/// from zero), remembering the suffix family it was written in to print it back in canonical form.
///
/// Equality and ordering are numeric, as upstream's Cmp: `1Gi == 1024Mi`, `1 == 1000m`.
public struct Quantity: Sendable, Comparable, CustomStringConvertible {
    /// Upstream's three suffix families.
    public enum Format: String, Sendable {
        /// `12e6`
        case decimalExponent = "DecimalExponent"
        /// `12Mi` (powers of 1024)
        case binarySI = "BinarySI"
        /// `12M` (powers of 1000), and plain numbers
        case decimalSI = "DecimalSI"
    }

    public internal(set) var format: Format
    let amount: DecimalAmount
    /// The text the quantity was parsed from when upstream keeps it verbatim (already canonical by
    /// its rules); nil when the canonical form has to be computed.
    let parsedText: String?

    init(amount: DecimalAmount, format: Format, parsedText: String? = nil) {
        self.amount = amount; self.format = format; self.parsedText = parsedText
    }

    /// An integer quantity, as upstream NewQuantity.
    public init(_ value: Int64, format: Format = .decimalSI) {
        self.init(amount: DecimalAmount(value), format: format)
    }

    /// `value / 1000`, as upstream NewMilliQuantity.
    public init(milliValue: Int64, format: Format = .decimalSI) {
        self.init(amount: DecimalAmount(milliValue, exponent: -3), format: format)
    }

    public var isZero: Bool { amount.isZero }
    public var isNegative: Bool { amount.negative }
    /// -1, 0 or 1.
    public var sign: Int { amount.sign }

    /// True when the value has no fractional part (upstream checks `MilliValue() % 1000 == 0` for
    /// integer-only resources such as hugepages counts; this is the exact form of that test).
    public var isWholeNumber: Bool { amount.roundedUp(toScale: 0).1 }

    /// The value as a Double, for printing and rough arithmetic only.
    public var value: Double { amount.doubleValue }

    /// Upstream Value(): the value rounded up (away from zero) to an integer, saturated to Int64.
    public var int64Value: Int64 { amount.scaledInt64(scale: 0) }

    /// Upstream MilliValue(): ceil(q × 1000) away from zero, saturated to Int64.
    public var milliValue: Int64 { amount.scaledInt64(scale: -3) }

    /// Upstream ScaledValue: ceil(q / 10^scale) away from zero, saturated to Int64.
    public func scaledValue(_ scale: Int) -> Int64 { amount.scaledInt64(scale: scale) }

    /// Upstream Cmp: -1, 0 or 1.
    public func compare(_ other: Quantity) -> Int { DecimalAmount.compare(amount, other.amount) }

    public static func == (a: Quantity, b: Quantity) -> Bool { a.compare(b) == 0 }
    public static func < (a: Quantity, b: Quantity) -> Bool { a.compare(b) < 0 }

    /// The quantity as a JSON value, which upstream always serializes as a string.
    public var json: JSON { .string(canonical) }

    public var description: String { canonical }
}
