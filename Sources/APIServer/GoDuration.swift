/// Durations written as Go's `time.Duration.String` writes them (`812µs`, `1.234567ms`, `2.5s`,
/// `1m30s`), the form kube-apiserver's request log shows latencies in.
public enum GoDuration {
    static func string(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let n = nanoseconds.magnitude
        if n < 1_000 { return "\(sign)\(n)ns" }
        if n < 1_000_000 { return sign + decimal(n, unit: 1_000) + "µs" }
        if n < 1_000_000_000 { return sign + decimal(n, unit: 1_000_000) + "ms" }
        let totalSeconds = n / 1_000_000_000
        let fraction = n % 1_000_000_000
        let secondsPart = decimal((totalSeconds % 60) * 1_000_000_000 + fraction, unit: 1_000_000_000) + "s"
        if totalSeconds < 60 { return sign + secondsPart }
        let minutes = totalSeconds / 60
        if minutes < 60 { return "\(sign)\(minutes)m\(secondsPart)" }
        return "\(sign)\(minutes / 60)h\(minutes % 60)m\(secondsPart)"
    }

    /// `value / unit` with the fraction's trailing zeros dropped, as Go prints it.
    private static func decimal(_ value: UInt64, unit: UInt64) -> String {
        let whole = value / unit
        var fraction = String(value % unit)
        guard fraction != "0" else { return String(whole) }
        let width = String(unit).count - 1
        fraction = String(repeating: "0", count: width - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}
