/// Splitting and trimming on ASCII bytes for what every request parses (paths, media types).
/// `String.split(separator: Character)` and Foundation's `trimmingCharacters(in:)` compare whole
/// grapheme clusters; on a request path that cost more than a ConfigMap's structural decoding.
extension Substring {
    /// The pieces between `separator` bytes, as `split` would give them; `separator` must be ASCII,
    /// so every cut falls on a character boundary.
    func splitASCII(_ separator: Unicode.Scalar, maxSplits: Int = .max, omittingEmptySubsequences: Bool = false) -> [Substring] {
        let byte = UInt8(separator.value)
        let bytes = utf8
        var pieces: [Substring] = []
        var splits = 0
        var start = bytes.startIndex
        var i = start
        while i < bytes.endIndex {
            if bytes[i] == byte, splits < maxSplits {
                if !(omittingEmptySubsequences && start == i) {
                    pieces.append(self[start..<i])
                    splits += 1
                }
                start = bytes.index(after: i)
            }
            i = bytes.index(after: i)
        }
        if !(omittingEmptySubsequences && start == bytes.endIndex) { pieces.append(self[start..<bytes.endIndex]) }
        return pieces
    }

    /// Without leading and trailing ASCII whitespace (HTTP's optional whitespace and line ends).
    func trimmingASCIIWhitespace() -> Substring {
        let bytes = utf8
        var lower = bytes.startIndex, upper = bytes.endIndex
        while lower < upper, Self.isWhitespace(bytes[lower]) { lower = bytes.index(after: lower) }
        while lower < upper, Self.isWhitespace(bytes[bytes.index(before: upper)]) { upper = bytes.index(before: upper) }
        return self[lower..<upper]
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}

extension String {
    func splitASCII(_ separator: Unicode.Scalar, maxSplits: Int = .max, omittingEmptySubsequences: Bool = false) -> [Substring] {
        self[...].splitASCII(separator, maxSplits: maxSplits, omittingEmptySubsequences: omittingEmptySubsequences)
    }
}
