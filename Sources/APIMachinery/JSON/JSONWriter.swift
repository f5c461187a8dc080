/// Serializes `JSON` to compact bytes the way Go's encoding/json does (the same escapes, including
/// `<`, `>` and `&` as `\u003c` etc.), so responses read the same as a real API server's.
public enum JSONWriter {
    public static func encode(_ value: JSON) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    public static func encodeString(_ value: JSON) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    public static func write(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: formatDouble(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            var first = true
            for element in a {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in o {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Go prints integral floats without a fraction and uses exponents only outside [1e-6, 1e21).
    static func formatDouble(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e21 {
            if abs(d) < 9.0e18 { return String(Int64(d)) }
        }
        var s = "\(d)"
        if let e = s.firstIndex(of: "e") {
            // Swift writes 1e-07; Go writes 1e-07 as well, but 1e+21 as 1e+21: both agree.
            _ = e
        } else if s.hasSuffix(".0") {
            s.removeLast(2)
        }
        return s
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var runStart = 0
            var i = 0
            let n = bytes.count
            while i < n {
                let b = bytes[i]
                if b >= 0x20, b != 0x22, b != 0x5c, b != 0x3c, b != 0x3e, b != 0x26, b != 0xe2 {
                    i += 1
                    continue
                }
                if b == 0xe2 {
                    // U+2028 and U+2029 are escaped by Go; every other sequence starting 0xE2 passes.
                    if i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0xa8 || bytes[i + 2] == 0xa9 {
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                        out.append(contentsOf: (bytes[i + 2] == 0xa8 ? "\\u2028" : "\\u2029").utf8)
                        i += 3
                        runStart = i
                    } else {
                        i += 1
                    }
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                switch b {
                case 0x22: out.append(contentsOf: "\\\"".utf8)
                case 0x5c: out.append(contentsOf: "\\\\".utf8)
                case 0x0a: out.append(contentsOf: "\\n".utf8)
                case 0x0d: out.append(contentsOf: "\\r".utf8)
                case 0x09: out.append(contentsOf: "\\t".utf8)
                default:
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hex[Int(b >> 4)])
                    out.append(hex[Int(b & 0xf)])
                }
                i += 1
                runStart = i
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<n]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
