import Foundation

/// RFC 3339 timestamps as the API writes them (`2024-01-02T03:04:05Z`, second precision) and
/// upstream's human-readable durations (k8s.io/apimachinery/pkg/util/duration.HumanDuration).
public enum Timestamp {
    /// Formats a date as metav1.Time does: UTC, whole seconds.
    public static func format(_ date: Date) -> String {
        let t = time_t(date.timeIntervalSince1970.rounded(.down))
        var tmv = tm()
        var tt = t
        gmtime_r(&tt, &tmv)
        func pad(_ v: Int32, _ width: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(tmv.tm_year + 1900, 4))-\(pad(tmv.tm_mon + 1))-\(pad(tmv.tm_mday))T\(pad(tmv.tm_hour)):\(pad(tmv.tm_min)):\(pad(tmv.tm_sec))Z"
    }

    /// Formats with microseconds, as metav1.MicroTime does (leases, events.k8s.io).
    public static func formatMicro(_ date: Date) -> String {
        let whole = format(date)
        let micros = Int((date.timeIntervalSince1970 - date.timeIntervalSince1970.rounded(.down)) * 1_000_000)
        let s = String(micros)
        return whole.dropLast() + "." + String(repeating: "0", count: 6 - s.count) + s + "Z"
    }

    /// Parses RFC 3339 (with or without fractional seconds, `Z` or an offset).
    public static func parse(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count >= 20 else { return nil }
        func num(_ a: Int, _ b: Int) -> Int? {
            var v = 0
            for i in a..<b {
                guard u[i] >= 48, u[i] <= 57 else { return nil }
                v = v * 10 + Int(u[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), u[4] == 45, let mo = num(5, 7), u[7] == 45, let d = num(8, 10),
              u[10] == 84 || u[10] == 116, let h = num(11, 13), u[13] == 58, let mi = num(14, 16), u[16] == 58,
              let s = num(17, 19) else { return nil }
        guard (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        var i = 19
        var fraction = 0.0
        if i < u.count, u[i] == 46 {
            i += 1
            var scale = 0.1
            let start = i
            while i < u.count, u[i] >= 48, u[i] <= 57 { fraction += Double(u[i] - 48) * scale; scale /= 10; i += 1 }
            if i == start { return nil }
        }
        guard i < u.count else { return nil }
        var offset = 0
        if u[i] == 90 || u[i] == 122 {
            i += 1
        } else if u[i] == 43 || u[i] == 45, i + 6 == u.count, let oh = num(i + 1, i + 3), u[i + 3] == 58, let om = num(i + 4, i + 6) {
            offset = (oh * 3600 + om * 60) * (u[i] == 43 ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == u.count else { return nil }
        // Days from civil (Howard Hinnant's algorithm), avoiding Calendar for speed and thread safety.
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let seconds = Double(days * 86400 + h * 3600 + mi * 60 + s - offset) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// Upstream's duration.HumanDuration.
    public static func humanDuration(_ interval: TimeInterval) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        writeHumanDuration(interval, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `humanDuration` appended as UTF-8 (Table rows write it straight into a response).
    public static func writeHumanDuration(_ interval: TimeInterval, into out: inout [UInt8]) {
        func put(_ value: Int, _ unit: Unicode.Scalar) {
            writeDecimal(value, into: &out)
            out.append(UInt8(ascii: unit))
        }
        let seconds = Int(interval)
        if seconds < -1 { out.append(contentsOf: "<invalid>".utf8); return }
        if seconds < 0 { out.append(contentsOf: "0s".utf8); return }
        if seconds < 60 * 2 { put(seconds, "s"); return }
        let minutes = seconds / 60
        if minutes < 10 {
            put(minutes, "m")
            if seconds % 60 != 0 { put(seconds % 60, "s") }
            return
        }
        if minutes < 60 * 3 { put(minutes, "m"); return }
        let hours = minutes / 60
        if hours < 8 {
            put(hours, "h")
            if minutes % 60 != 0 { put(minutes % 60, "m") }
            return
        }
        if hours < 48 { put(hours, "h"); return }
        if hours < 24 * 8 {
            put(hours / 24, "d")
            if hours % 24 != 0 { put(hours % 24, "h") }
            return
        }
        if hours < 24 * 365 * 2 { put(hours / 24, "d"); return }
        if hours < 24 * 365 * 8 {
            put(hours / 24 / 365, "y")
            if (hours / 24) % 365 != 0 { put((hours / 24) % 365, "d") }
            return
        }
        put(hours / 24 / 365, "y")
    }

    /// A non-negative integer's decimal digits.
    private static func writeDecimal(_ value: Int, into out: inout [UInt8]) {
        if value >= 10 { writeDecimal(value / 10, into: &out) }
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
