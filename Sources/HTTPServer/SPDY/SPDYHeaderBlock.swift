/// A SPDY/3 name/value header block, uncompressed (section 2.6.10): a 32-bit count, then each name
/// and value with a 32-bit length; names are lower case, several values of one name are joined
/// with NUL.
public struct SPDYHeaderBlock: Equatable, Sendable {
    public var fields: [(name: String, values: [String])]

    public init(_ fields: [(name: String, values: [String])] = []) { self.fields = fields }

    public static func == (a: SPDYHeaderBlock, b: SPDYHeaderBlock) -> Bool {
        a.fields.map(\.name) == b.fields.map(\.name) && a.fields.map(\.values) == b.fields.map(\.values)
    }

    /// The first value of `name` (lower case), as Go's `http.Header.Get` reads it.
    public func value(_ name: String) -> String? {
        fields.first { $0.name == name }?.values.first
    }

    public func encoded() -> [UInt8] {
        var out = SPDYFrame.word(UInt32(fields.count))
        for field in fields {
            let name = Array(field.name.lowercased().utf8)
            let value = Array(field.values.joined(separator: "\u{0}").utf8)
            out += SPDYFrame.word(UInt32(name.count)) + name + SPDYFrame.word(UInt32(value.count)) + value
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws(SPDYViolation) -> SPDYHeaderBlock {
        var offset = 0
        func length() throws(SPDYViolation) -> Int {
            guard bytes.count - offset >= 4 else { throw SPDYViolation("header block is truncated") }
            defer { offset += 4 }
            return Int(UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3]))
        }
        func text() throws(SPDYViolation) -> String {
            let count = try length()
            guard bytes.count - offset >= count else { throw SPDYViolation("header block is truncated") }
            defer { offset += count }
            return String(decoding: bytes[offset..<(offset + count)], as: UTF8.self)
        }
        let count = try length()
        // Each pair takes 8 bytes at least: a count beyond that is a lie, not a reason to allocate.
        guard count <= bytes.count / 8 else { throw SPDYViolation("header block is truncated") }
        var block = SPDYHeaderBlock()
        for _ in 0..<count {
            let name = try text().lowercased()
            let value = try text()
            block.fields.append((name, value.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)))
        }
        return block
    }
}
