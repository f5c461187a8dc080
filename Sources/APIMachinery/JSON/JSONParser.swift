/// Parses JSON bytes into `JSON`, the way Kubernetes' decoder (sigs.k8s.io/json) reads request bodies:
/// duplicate object keys are reported (for strict field validation) with the last one winning,
/// invalid UTF-8 inside strings becomes U+FFFD as in Go, and nesting deeper than Go's limit of
/// 10,000 is an error rather than a stack overflow.
public struct JSONParser: ~Copyable {
    /// Go's encoding/json limit; deeper documents are rejected before they can exhaust the stack.
    public static let maxDepth = 10_000

    public struct Result: Sendable {
        public var value: JSON
        /// Field paths (`spec.replicas`, `spec.containers[0].name`) that appeared twice in one object.
        public var duplicateFields: [String]
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    private var duplicates: [String] = []
    private var sawDuplicate = false
    private let trackPaths: Bool
    private var path: [PathElement] = []

    private enum PathElement { case key(String), index(Int) }

    private init(bytes: UnsafeBufferPointer<UInt8>, trackPaths: Bool) {
        self.bytes = bytes
        self.trackPaths = trackPaths
    }

    /// Parses a complete document; trailing non-space bytes are an error.
    public static func parse(_ data: some Collection<UInt8>) throws(JSONSyntaxError) -> Result {
        let array = Array(data)
        let first = try array.withUnsafeBufferPointer { (buf) throws(JSONSyntaxError) -> Result in
            var p = JSONParser(bytes: buf, trackPaths: false)
            return try p.parseDocument()
        }
        guard first.duplicateFields.isEmpty else {
            // Rare: parse again keeping the path stack, so the report names full field paths.
            return try array.withUnsafeBufferPointer { (buf) throws(JSONSyntaxError) -> Result in
                var p = JSONParser(bytes: buf, trackPaths: true)
                return try p.parseDocument()
            }
        }
        return first
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> Result {
        try parse(Array(text.utf8))
    }

    private mutating func parseDocument() throws(JSONSyntaxError) -> Result {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count {
            throw error("invalid character \(describe(bytes[index])) after top-level value")
        }
        return Result(value: value, duplicateFields: duplicates)
    }

    private func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: index) }

    private func describe(_ b: UInt8) -> String {
        switch b {
        case UInt8(ascii: "'"): return "'\\''"
        case UInt8(ascii: "\""): return "'\"'"
        case 0x20..<0x7f: return "'\(Character(UnicodeScalar(b)))'"
        default: return "'\\x\(String(b, radix: 16, uppercase: false))'"
        }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0a, 0x0d, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSON {
        guard index < bytes.count else { throw error("unexpected end of JSON input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("invalid character \(describe(bytes[index])) looking for beginning of value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let n = literal.utf8CodeUnitCount
        let lit = UnsafeBufferPointer(start: literal.utf8Start, count: n)
        for i in 0..<n {
            guard index + i < bytes.count else { throw error("unexpected end of JSON input") }
            if bytes[index + i] != lit[i] {
                index += i
                throw error("invalid character \(describe(bytes[index])) in literal \(literal) (expecting '\(Character(UnicodeScalar(lit[i])))')")
            }
        }
        index += n
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maxDepth { throw error("exceeded max depth") }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSON {
        try enter()
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1; depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw error("invalid character \(describe(bytes[index])) looking for beginning of object key string")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            guard bytes[index] == UInt8(ascii: ":") else {
                throw error("invalid character \(describe(bytes[index])) after object key")
            }
            index += 1
            skipWhitespace()
            if trackPaths { path.append(.key(key)) }
            let value = try parseValue()
            if object.updateValue(value, forKey: key) != nil {
                duplicates.append(trackPaths ? renderPath() : key)
            }
            if trackPaths { path.removeLast() }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; depth -= 1; return .object(object)
            default: throw error("invalid character \(describe(bytes[index])) after object key:value pair")
            }
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSON {
        try enter()
        index += 1
        var array: [JSON] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1; depth -= 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            if trackPaths { path.append(.index(array.count)) }
            array.append(try parseValue())
            if trackPaths { path.removeLast() }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; depth -= 1; return .array(array)
            default: throw error("invalid character \(describe(bytes[index])) after array element")
            }
        }
    }

    private func renderPath() -> String {
        var out = ""
        for element in path {
            switch element {
            case .key(let k): out += out.isEmpty ? k : ".\(k)"
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: plain ASCII/UTF-8 with no escapes.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("invalid character \(describe(b)) in string literal") }
            index += 1
        }
        var buffer = Array(bytes[start..<index])
        while index < bytes.count {
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unexpected end of JSON input") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5c)
                case UInt8(ascii: "/"): buffer.append(0x2f)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0c)
                case UInt8(ascii: "n"): buffer.append(0x0a)
                case UInt8(ascii: "r"): buffer.append(0x0d)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must pair with a following \u low surrogate; lone ones become U+FFFD as in Go.
                        if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                            let save = index
                            index += 2
                            let low = try parseHex4()
                            if (0xDC00..<0xE000).contains(low) {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                index = save
                                scalar = 0xFFFD
                            }
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        scalar = 0xFFFD
                    }
                    buffer.append(contentsOf: String(Character(UnicodeScalar(scalar) ?? "\u{FFFD}")).utf8)
                default:
                    index -= 1
                    throw error("invalid character \(describe(e)) in string escape code")
                }
            default:
                if b < 0x20 { throw error("invalid character \(describe(b)) in string literal") }
                buffer.append(b)
                index += 1
            }
        }
        throw error("unexpected end of JSON input")
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid character \(describe(b)) in \\u hexadecimal character escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSON {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw error("unexpected end of JSON input") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[index]) {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        } else {
            throw error("invalid character \(describe(bytes[index])) in numeric literal")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
                throw index < bytes.count ? error("invalid character \(describe(bytes[index])) after decimal point in numeric literal") : error("unexpected end of JSON input")
            }
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
                throw index < bytes.count ? error("invalid character \(describe(bytes[index])) in exponent of numeric literal") : error("unexpected end of JSON input")
            }
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let i = Int64(text) { return .int(i) }
        return .double(Double(text) ?? .infinity)
    }
}

/// A JSON syntax error, worded as Go's encoding/json words it.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { message }
}
