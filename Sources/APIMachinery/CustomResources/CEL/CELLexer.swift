/// Tokens of the Common Expression Language as `x-kubernetes-validations` rules use it.
enum CELToken: Equatable, Sendable {
    case identifier(String)
    case int(Int64)
    case double(Double)
    case string(String)
    case symbol(String)
    case end
}

/// A compile-time failure, rendered as cel-go renders its issues (`ERROR: <input>:1:6: message`),
/// which apiextensions prefixes with `compilation failed: `.
public struct CELCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// 0-based offset of the offending character in the rule.
    public var offset: Int
    public var source: String

    public var description: String {
        // cel-go reports 1-based line and column and then shows the line with a caret under the column.
        let prefix = source.unicodeScalars.prefix(offset)
        let line = prefix.filter { $0 == "\n" }.count + 1
        let column = prefix.split(separator: "\n", omittingEmptySubsequences: false).last.map { $0.count + 1 } ?? 1
        let text = source.split(separator: "\n", omittingEmptySubsequences: false)[line - 1]
        let caret = String(repeating: ".", count: column - 1) + "^"
        return "ERROR: <input>:\(line):\(column): \(message)\n | \(text)\n | \(caret)"
    }
}

/// Splits a rule into tokens, each with its offset for error messages.
struct CELLexer {
    private let scalars: [Unicode.Scalar]
    private let source: String
    private var i = 0

    init(_ source: String) {
        self.source = source
        scalars = Array(source.unicodeScalars)
    }

    private func fail(_ message: String, at offset: Int) -> CELCompileError {
        CELCompileError(message: message, offset: offset, source: source)
    }

    mutating func tokens() throws(CELCompileError) -> [(CELToken, Int)] {
        var out: [(CELToken, Int)] = []
        while true {
            skipSpaceAndComments()
            let start = i
            guard i < scalars.count else { out.append((.end, i)); return out }
            let c = scalars[i]
            if c == "_" || c.properties.isAlphabetic {
                // r"..." raw strings and b"..." bytes start like identifiers.
                if (c == "r" || c == "R"), i + 1 < scalars.count, scalars[i + 1] == "\"" || scalars[i + 1] == "'" {
                    i += 1
                    out.append((.string(try readString(raw: true)), start))
                    continue
                }
                if (c == "b" || c == "B"), i + 1 < scalars.count, scalars[i + 1] == "\"" || scalars[i + 1] == "'" {
                    throw fail("bytes literals are not supported by Kubelite's CEL subset", at: start)
                }
                var name = ""
                while i < scalars.count, scalars[i] == "_" || scalars[i].properties.isAlphabetic || ("0"..."9").contains(scalars[i]) {
                    name.unicodeScalars.append(scalars[i]); i += 1
                }
                out.append((.identifier(name), start))
            } else if ("0"..."9").contains(c) || (c == "." && i + 1 < scalars.count && ("0"..."9").contains(scalars[i + 1])) {
                out.append((try readNumber(), start))
            } else if c == "\"" || c == "'" {
                out.append((.string(try readString(raw: false)), start))
            } else {
                let two = i + 1 < scalars.count ? String(c) + String(scalars[i + 1]) : ""
                if ["==", "!=", "<=", ">=", "&&", "||"].contains(two) {
                    i += 2
                    out.append((.symbol(two), start))
                } else if "+-*/%<>!?:.,()[]{}".unicodeScalars.contains(c) {
                    i += 1
                    out.append((.symbol(String(c)), start))
                } else {
                    throw fail("Syntax error: token recognition error at: '\(c)'", at: start)
                }
            }
        }
    }

    private mutating func skipSpaceAndComments() {
        while i < scalars.count {
            if scalars[i].properties.isWhitespace { i += 1; continue }
            if scalars[i] == "/", i + 1 < scalars.count, scalars[i + 1] == "/" {
                while i < scalars.count, scalars[i] != "\n" { i += 1 }
                continue
            }
            return
        }
    }

    private mutating func readNumber() throws(CELCompileError) -> CELToken {
        let start = i
        if scalars[i] == "0", i + 1 < scalars.count, scalars[i + 1] == "x" || scalars[i + 1] == "X" {
            i += 2
            var hex = ""
            while i < scalars.count, scalars[i].properties.isASCIIHexDigit { hex.unicodeScalars.append(scalars[i]); i += 1 }
            guard let v = Int64(hex, radix: 16) else { throw fail("invalid int literal", at: start) }
            try rejectUnsigned(start)
            return .int(v)
        }
        var text = ""
        var isDouble = false
        while i < scalars.count {
            let c = scalars[i]
            if ("0"..."9").contains(c) {
                text.unicodeScalars.append(c)
            } else if c == ".", i + 1 < scalars.count, ("0"..."9").contains(scalars[i + 1]) {
                isDouble = true; text.unicodeScalars.append(c)
            } else if c == "e" || c == "E" {
                isDouble = true; text.unicodeScalars.append(c)
                if i + 1 < scalars.count, scalars[i + 1] == "+" || scalars[i + 1] == "-" { i += 1; text.unicodeScalars.append(scalars[i]) }
            } else {
                break
            }
            i += 1
        }
        if isDouble {
            guard let d = Double(text) else { throw fail("invalid double literal", at: start) }
            return .double(d)
        }
        guard let v = Int64(text) else { throw fail("invalid int literal", at: start) }
        try rejectUnsigned(start)
        return .int(v)
    }

    private mutating func rejectUnsigned(_ start: Int) throws(CELCompileError) {
        if i < scalars.count, scalars[i] == "u" || scalars[i] == "U" {
            throw fail("unsigned integer literals are not supported by Kubelite's CEL subset", at: start)
        }
    }

    private mutating func readString(raw: Bool) throws(CELCompileError) -> String {
        let start = i
        let quote = scalars[i]
        let triple = i + 2 < scalars.count && scalars[i + 1] == quote && scalars[i + 2] == quote
        i += triple ? 3 : 1
        var out = ""
        while i < scalars.count {
            let c = scalars[i]
            if c == quote {
                if !triple { i += 1; return out }
                if i + 2 < scalars.count, scalars[i + 1] == quote, scalars[i + 2] == quote { i += 3; return out }
            }
            if c == "\n", !triple { break }
            if c == "\\", !raw, i + 1 < scalars.count {
                i += 1
                switch scalars[i] {
                case "n": out += "\n"
                case "t": out += "\t"
                case "r": out += "\r"
                case "\\": out += "\\"
                case "\"": out += "\""
                case "'": out += "'"
                case "`": out += "`"
                case "?": out += "?"
                default: throw fail("Syntax error: invalid escape sequence", at: i - 1)
                }
                i += 1
                continue
            }
            out.unicodeScalars.append(c)
            i += 1
        }
        throw fail("Syntax error: token recognition error at: '\(quote)'", at: start)
    }
}
