/// The tokenizer of k8s.io/apimachinery/pkg/labels (Lexer): identifiers run until whitespace or one
/// of `=!(),><`; operators are the longest known run of those symbols.
struct LabelSelectorLexer {
    enum Token: Equatable {
        case error, endOfString, closedPar, comma, doesNotExist, doubleEquals, equals, greaterThan
        case identifier, `in`, lessThan, notEquals, notIn, openPar
    }
    struct Item { var token: Token; var literal: String }

    static let keywords: [String: Token] = [
        ")": .closedPar, ",": .comma, "!": .doesNotExist, "==": .doubleEquals, "=": .equals, ">": .greaterThan,
        "in": .in, "<": .lessThan, "!=": .notEquals, "notin": .notIn, "(": .openPar,
    ]

    private let bytes: [UInt8]
    private var pos = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
    static func isSpecialSymbol(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: ">"), UInt8(ascii: "<"): return true
        default: return false
        }
    }

    /// All tokens up to and including `endOfString`.
    mutating func scanAll() -> [Item] {
        var items: [Item] = []
        while true {
            let item = lex()
            items.append(item)
            if item.token == .endOfString { return items }
        }
    }

    private mutating func lex() -> Item {
        while pos < bytes.count, Self.isWhitespace(bytes[pos]) { pos += 1 }
        // Go's lexer reads a NUL byte where a token starts as the end of input; so does this one.
        guard pos < bytes.count, bytes[pos] != 0 else { return Item(token: .endOfString, literal: "") }
        return Self.isSpecialSymbol(bytes[pos]) ? scanSpecialSymbol() : scanIdentifierOrKeyword()
    }

    private mutating func scanIdentifierOrKeyword() -> Item {
        let start = pos
        while pos < bytes.count, bytes[pos] != 0, !Self.isSpecialSymbol(bytes[pos]), !Self.isWhitespace(bytes[pos]) { pos += 1 }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        skipEndingNUL()
        return Item(token: Self.keywords[text] ?? .identifier, literal: text)
    }

    /// Go's lexer consumes the NUL that ends a token (it reads it and does not put it back), so the
    /// next token starts after it: `a=b\0c` is `a`, `=`, `b`, `c`, a parse error, not `a=b`.
    private mutating func skipEndingNUL() {
        if pos < bytes.count, bytes[pos] == 0 { pos += 1 }
    }

    private mutating func scanSpecialSymbol() -> Item {
        var buffer: [UInt8] = []
        var last: Item?
        while pos < bytes.count, bytes[pos] != 0, Self.isSpecialSymbol(bytes[pos]) {
            buffer.append(bytes[pos])
            pos += 1
            let text = String(decoding: buffer, as: UTF8.self)
            if let token = Self.keywords[text] {
                last = Item(token: token, literal: text)
            } else if let last {
                pos -= 1
                return last
            }
        }
        skipEndingNUL()
        return last ?? Item(token: .error, literal: "error expected: keyword found '\(String(decoding: buffer, as: UTF8.self))'")
    }
}
