/// Protobuf wire types (the low three bits of a field key).
enum ProtobufWireType: Int {
    case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
}

/// Why a protobuf body could not be read, worded as gogo-protobuf's generated `Unmarshal`
/// methods word it (`unexpected EOF`, `proto: wrong wireType = 0 for field Name`), since
/// upstream passes those texts through to the BadRequest Status.
struct ProtobufDecodingError: Error, Sendable, Equatable {
    var message: String

    static let unexpectedEOF = ProtobufDecodingError(message: "unexpected EOF")
    static let integerOverflow = ProtobufDecodingError(message: "proto: integer overflow")
    static let negativeLength = ProtobufDecodingError(message: "proto: negative length found during unmarshaling")
    static let unexpectedEndOfGroup = ProtobufDecodingError(message: "proto: unexpected end of group")
    static let maxDepth = ProtobufDecodingError(message: "proto: message nesting exceeds the schema's depth")

    static func wrongWireType(_ wireType: Int, field: String) -> ProtobufDecodingError {
        ProtobufDecodingError(message: "proto: wrong wireType = \(wireType) for field \(field)")
    }

    static func illegalTag(_ message: String, number: Int32, wireType: Int) -> ProtobufDecodingError {
        ProtobufDecodingError(message: "proto: \(message): illegal tag \(number) (wire type \(wireType))")
    }

    static func endGroupForNonGroup(_ message: String) -> ProtobufDecodingError {
        ProtobufDecodingError(message: "proto: \(message): wiretype end group for non-group")
    }

    static func illegalWireType(_ wireType: Int) -> ProtobufDecodingError {
        ProtobufDecodingError(message: "proto: illegal wireType \(wireType)")
    }
}

/// Reads protobuf wire format from one range of a byte buffer. Every read checks the range's
/// end, so truncated or lying input fails with an error rather than reading past it.
struct ProtobufWireReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], _ range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    init(_ bytes: [UInt8]) { self.init(bytes, bytes.indices) }

    var isAtEnd: Bool { position >= end }

    /// A base-128 varint of at most ten bytes, as Go's decoder accepts it: bits past 64 are
    /// dropped, an eleventh byte is an overflow.
    mutating func varint() throws(ProtobufDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard shift < 64 else { throw .integerOverflow }
            guard position < end else { throw .unexpectedEOF }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// The next field key. `message` names the message being read for gogo's error texts.
    mutating func key(in message: String) throws(ProtobufDecodingError) -> (number: Int32, wireType: Int) {
        let key = try varint()
        let number = Int32(truncatingIfNeeded: key >> 3)
        let wireType = Int(key & 7)
        if wireType == ProtobufWireType.endGroup.rawValue { throw .endGroupForNonGroup(message) }
        if number <= 0 { throw .illegalTag(message, number: number, wireType: wireType) }
        return (number, wireType)
    }

    /// The range of a length-delimited value's payload; the reader moves past it.
    mutating func lengthDelimited() throws(ProtobufDecodingError) -> Range<Int> {
        let length = Int(truncatingIfNeeded: try varint())
        guard length >= 0 else { throw .negativeLength }
        guard length <= end - position else { throw .unexpectedEOF }
        let range = position..<(position + length)
        position += length
        return range
    }

    mutating func fixed64() throws(ProtobufDecodingError) -> UInt64 {
        guard end - position >= 8 else { throw .unexpectedEOF }
        var value: UInt64 = 0
        for offset in 0..<8 { value |= UInt64(bytes[position + offset]) << (8 * UInt64(offset)) }
        position += 8
        return value
    }

    mutating func fixed32() throws(ProtobufDecodingError) -> UInt32 {
        guard end - position >= 4 else { throw .unexpectedEOF }
        var value: UInt32 = 0
        for offset in 0..<4 { value |= UInt32(bytes[position + offset]) << (8 * UInt32(offset)) }
        position += 4
        return value
    }

    /// Skips an unknown field's value, as Go's generated `skipGenerated` does: groups are
    /// skipped to their matching end without recursion, so nesting depth costs no stack.
    mutating func skip(wireType: Int) throws(ProtobufDecodingError) {
        var depth = 0
        var type = wireType
        while true {
            switch ProtobufWireType(rawValue: type) {
            case .varint: _ = try varint()
            case .fixed64: _ = try fixed64()
            case .fixed32: _ = try fixed32()
            case .lengthDelimited: _ = try lengthDelimited()
            case .startGroup: depth += 1
            case .endGroup:
                guard depth > 0 else { throw .unexpectedEndOfGroup }
                depth -= 1
            case nil: throw .illegalWireType(type)
            }
            if depth == 0 { return }
            type = Int(try varint() & 7)
        }
    }
}
