/// Finds a top-level member's value inside compact JSON bytes without decoding the document: the
/// Table rows of a LIST copy each item's stored `metadata` bytes instead of encoding its tree again
/// (the encoded tree was most of a Table LIST's cost). The bytes must be one JSON object as
/// `JSONWriter` writes it; anything unexpected answers nil and the caller encodes the tree.
public enum JSONMemberSlice {
    /// The byte range of the value of top-level key `key` in `bytes`, or nil.
    public static func range(of key: String, in bytes: [UInt8]) -> Range<Int>? {
        let wanted = Array(key.utf8)
        var i = 0
        let n = bytes.count
        guard n > 1, bytes[0] == UInt8(ascii: "{") else { return nil }
        i = 1
        while i < n {
            guard bytes[i] == UInt8(ascii: "\"") else { return nil }
            let keyStart = i + 1
            guard let keyEnd = stringEnd(bytes, from: i) else { return nil }
            // keyEnd is the index of the closing quote.
            guard keyEnd + 1 < n, bytes[keyEnd + 1] == UInt8(ascii: ":") else { return nil }
            let valueStart = keyEnd + 2
            guard let valueEnd = valueEnd(bytes, from: valueStart) else { return nil }
            if keyEnd - keyStart == wanted.count, bytes[keyStart..<keyEnd].elementsEqual(wanted) {
                return valueStart..<valueEnd
            }
            guard valueEnd < n else { return nil }
            if bytes[valueEnd] == UInt8(ascii: "}") { return nil }
            guard bytes[valueEnd] == UInt8(ascii: ",") else { return nil }
            i = valueEnd + 1
        }
        return nil
    }

    /// The index of the quote closing the string that opens at `start`.
    static func stringEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = start + 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i
            default: i += 1
            }
        }
        return nil
    }

    /// The index just past the value that starts at `start`.
    static func valueEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(bytes, from: start).map { $0 + 1 }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard let end = stringEnd(bytes, from: i) else { return nil }
                    i = end
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return nil
        default:
            // A number, true, false or null runs to the next delimiter.
            var i = start
            while i < bytes.count, bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: "}"), bytes[i] != UInt8(ascii: "]") { i += 1 }
            return i
        }
    }
}
