/// Go's `base64.StdEncoding` acceptance rules for `[]byte` fields (Secret `data`, ConfigMap
/// `binaryData`), reporting the same offset as Go's `CorruptInputError` so the message matches:
/// `illegal base64 data at input byte 4`. Newlines are skipped and padding is required, as in Go.
enum Base64Syntax {
    static func error(in text: String) -> String? {
        offendingByte(Array(text.utf8)).map { "illegal base64 data at input byte \($0)" }
    }

    static func offendingByte(_ src: [UInt8]) -> Int? {
        var si = 0
        while si < src.count {
            var j = 0
            while j < 4 {
                if si == src.count {
                    return j == 0 ? nil : si - j
                }
                let ch = src[si]
                si += 1
                if isAlphabet(ch) { j += 1; continue }
                if isNewline(ch) { continue }
                if ch != UInt8(ascii: "=") { return si - 1 }
                switch j {
                case 0, 1: return si - 1
                case 2:
                    while si < src.count, isNewline(src[si]) { si += 1 }
                    if si == src.count { return src.count }
                    if src[si] != UInt8(ascii: "=") { return si - 1 }
                    si += 1
                default: break
                }
                while si < src.count, isNewline(src[si]) { si += 1 }
                return si < src.count ? si : nil
            }
        }
        return nil
    }

    private static func isNewline(_ b: UInt8) -> Bool { b == 0x0a || b == 0x0d }

    private static func isAlphabet(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }
}
