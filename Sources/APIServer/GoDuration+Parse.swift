import Foundation

extension GoDuration {
    /// Go's time.ParseDuration: a sign, then one or more decimal numbers each with a unit (`ns`, `us`,
    /// `µs`, `ms`, `s`, `m`, `h`), as `1h30m`, `2.5s` or `-300ms`; `0` alone is zero. Nil for anything else.
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .zero }
        guard !rest.isEmpty else { return nil }
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var nanoseconds = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            // Longest unit first: "ms" before "m", "ns" before... "s".
            guard let unit = units.filter({ unitText == $0.0 }).first else { return nil }
            nanoseconds += value * unit.1
            rest = rest.dropFirst(unitText.count)
        }
        guard nanoseconds < 9.2e18 else { return nil }
        let duration = Duration.nanoseconds(Int64(nanoseconds))
        return negative ? .zero - duration : duration
    }
}
