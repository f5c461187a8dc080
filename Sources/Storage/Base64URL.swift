/// Unpadded base64url (Go's base64.RawURLEncoding), the alphabet continue tokens travel in; decoding
/// reports the offset of the first bad byte as Go's CorruptInputError does.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let b0 = UInt32(bytes[i]), b1 = n > 1 ? UInt32(bytes[i + 1]) : 0, b2 = n > 2 ? UInt32(bytes[i + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            for j in 0..<(n + 1) { out.append(alphabet[Int((triple >> (18 - 6 * UInt32(j))) & 0x3f)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    enum Decoded { case success([UInt8]), failure(offset: Int) }

    static func decode(_ text: String) -> Decoded {
        let input = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0, bits = 0
        for (offset, c) in input.enumerated() {
            let v = values[Int(c)]
            guard v >= 0 else { return .failure(offset: offset) }
            accumulator = accumulator << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((accumulator >> UInt32(bits)) & 0xff))
            }
        }
        // A lone character in the last quantum cannot encode a byte.
        if input.count % 4 == 1 { return .failure(offset: input.count - 1) }
        return .success(out)
    }
}
