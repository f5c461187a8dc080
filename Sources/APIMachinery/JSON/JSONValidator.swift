/// Checks that bytes are one JSON document that `JSONParser` accepts, without building anything:
/// what a restart does with each stored row, so the tree of an object is built only when something
/// reads it (`StoredObject(key:validatedBytes:revision:)`), and a corrupt row still stops the start.
///
/// The rules are the parser's: the same grammar, control characters refused inside strings, escapes
/// checked, nesting bounded by `JSONParser.maxDepth`. A document it accepts therefore parses.
public struct JSONValidator: ~Copyable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public static func validate(_ bytes: [UInt8]) throws(JSONSyntaxError) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) in
            var validator = JSONValidator(bytes: buffer)
            try validator.document()
        }
    }

    private enum Container { case object, array }

    private func failure(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(message: index < bytes.count ? message : "unexpected end of JSON input", offset: index)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0a || bytes[index] == 0x0d || bytes[index] == 0x09 {
            index += 1
        }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Iterative over an explicit stack of open containers: one loop per value, no recursion.
    private mutating func document() throws(JSONSyntaxError) {
        var open: [Container] = []
        skipWhitespace()
        while true {
            // A value starts here.
            guard let first = peek() else { throw failure("unexpected end of JSON input") }
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "["), open.count >= JSONParser.maxDepth {
                throw JSONSyntaxError(message: "exceeded max depth", offset: index)
            }
            switch first {
            case UInt8(ascii: "{"):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") { index += 1; break }
                push(.object, &open)
                try key()
                continue
            case UInt8(ascii: "["):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") { index += 1; break }
                push(.array, &open)
                continue
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw failure("invalid character looking for beginning of value")
            }
            // The value ended: close containers until one continues with a comma, or the document ends.
            while true {
                skipWhitespace()
                guard let container = open.last else {
                    if index < bytes.count { throw JSONSyntaxError(message: "invalid character after top-level value", offset: index) }
                    return
                }
                let closer = container == .object ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if peek() == closer { index += 1; open.removeLast(); continue }
                guard peek() == UInt8(ascii: ",") else { throw failure("invalid character after \(container == .object ? "object key:value pair" : "array element")") }
                index += 1
                skipWhitespace()
                if container == .object { try key() }
                break
            }
        }
    }

    private mutating func push(_ container: Container, _ open: inout [Container]) {
        open.append(container)
        skipWhitespace()
    }

    /// An object member's key and its colon; the value follows.
    private mutating func key() throws(JSONSyntaxError) {
        guard peek() == UInt8(ascii: "\"") else { throw failure("invalid character looking for beginning of object key string") }
        try string()
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw failure("invalid character after object key") }
        index += 1
        skipWhitespace()
    }

    private mutating func string() throws(JSONSyntaxError) {
        index += 1
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            if b == UInt8(ascii: "\"") { return }
            if b < 0x20 { index -= 1; throw failure("invalid character in string literal") }
            guard b == UInt8(ascii: "\\") else { continue }
            guard let escaped = peek() else { break }
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                continue
            case UInt8(ascii: "u"):
                for _ in 0..<4 {
                    guard let digit = peek(), digit.isHexDigit else { throw failure("invalid character in \\u hexadecimal character escape") }
                    index += 1
                }
            default:
                index -= 1
                throw failure("invalid character in string escape code")
            }
        }
        throw failure("unexpected end of JSON input")
    }

    private mutating func literal(_ text: StaticString) throws(JSONSyntaxError) {
        let expected = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        for byte in expected {
            guard peek() == byte else { throw failure("invalid character in literal \(text)") }
            index += 1
        }
    }

    private mutating func number() throws(JSONSyntaxError) {
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else {
            guard let first = peek(), first.isDigit else { throw failure("invalid character in numeric literal") }
            digits()
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let next = peek(), next.isDigit else { throw failure("invalid character after decimal point in numeric literal") }
            digits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard let next = peek(), next.isDigit else { throw failure("invalid character in exponent of numeric literal") }
            digits()
        }
    }

    private mutating func digits() {
        while let b = peek(), b.isDigit { index += 1 }
    }
}

private extension UInt8 {
    var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    var isHexDigit: Bool {
        isDigit || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f")) || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
    }
}
