/// Protocol buffers wire encoding of one message, field by field (proto3: callers skip zero
/// values). Nested messages are written into a writer of their own and appended whole, which is
/// simple and, for documents of a few megabytes, cheap enough.
public struct ProtobufWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    static let varint = 0, fixed64 = 1, lengthDelimited = 2

    mutating func key(_ field: Int, _ wireType: Int) {
        varint(UInt64(field << 3 | wireType))
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    public mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, Self.lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func message(_ field: Int, _ value: ProtobufWriter) {
        bytes(field, value.bytes)
    }

    public mutating func bool(_ field: Int, _ value: Bool) {
        key(field, Self.varint)
        varint(value ? 1 : 0)
    }

    public mutating func int64(_ field: Int, _ value: Int64) {
        key(field, Self.varint)
        varint(UInt64(bitPattern: value))
    }

    public mutating func double(_ field: Int, _ value: Double) {
        key(field, Self.fixed64)
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(bits & 0xff))
            bits >>= 8
        }
    }
}
