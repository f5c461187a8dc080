import Foundation

/// Scalars and the apimachinery types whose protobuf form differs from their JSON form.
extension ProtobufMessageDecoder {
    /// The JSON form of a scalar: integers as Go converts them (int32 truncates the varint),
    /// bytes as base64 (Go's `[]byte` JSON), strings with invalid UTF-8 replaced as Go's
    /// encoder replaces it.
    func scalar(_ kind: ProtobufFieldKind, _ value: WireValue) throws(ProtobufDecodingError) -> JSON {
        switch (kind, value) {
        case (.string, .payload(let range)): return .string(String(decoding: bytes[range], as: UTF8.self))
        case (.bytes, .payload(let range)): return .string(Data(bytes[range]).base64EncodedString())
        case (.bool, .bits(let bits)): return .bool(bits != 0)
        case (.int32, .bits(let bits)): return .int(Int64(Int32(truncatingIfNeeded: bits)))
        case (.int64, .bits(let bits)): return .int(Int64(bitPattern: bits))
        case (.uint32, .bits(let bits)): return .int(Int64(UInt32(truncatingIfNeeded: bits)))
        case (.uint64, .bits(let bits)): return bits <= UInt64(Int64.max) ? .int(Int64(bits)) : .double(Double(bits))
        case (.float, .bits(let bits)): return try finite(Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits))))
        case (.double, .bits(let bits)): return try finite(Double(bitPattern: bits))
        default: return Self.zero(kind)
        }
    }

    /// Go's JSON encoder refuses NaN and infinities.
    private func finite(_ value: Double) throws(ProtobufDecodingError) -> JSON {
        guard value.isFinite else {
            throw ProtobufDecodingError(message: "json: unsupported value: \(value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf")")
        }
        return .double(value)
    }

    static func zero(_ kind: ProtobufFieldKind) -> JSON {
        switch kind {
        case .string, .bytes: return .string("")
        case .bool: return .bool(false)
        case .float, .double: return .double(0)
        default: return .int(0)
        }
    }

    static func isZero(_ value: JSON) -> Bool {
        switch value {
        case .string(let text): return text.isEmpty
        case .int(let number): return number == 0
        case .double(let number): return number == 0
        case .bool(let flag): return !flag
        default: return false
        }
    }

    /// The last value of each known scalar field of a small fixed message (Timestamp,
    /// IntOrString, Quantity, RawExtension); other field numbers are skipped.
    private func scalarFields(_ ranges: [Range<Int>], type: String,
                              _ kinds: [Int32: ProtobufFieldKind]) throws(ProtobufDecodingError) -> [Int32: WireValue] {
        var values: [Int32: WireValue] = [:]
        for range in ranges {
            var reader = ProtobufWireReader(bytes, range)
            while !reader.isAtEnd {
                let (number, wireType) = try reader.key(in: type)
                guard let kind = kinds[number] else {
                    try reader.skip(wireType: wireType)
                    continue
                }
                let field = ProtobufField(number: number, jsonName: Self.goFieldNames[type]?[number] ?? "", kind: kind,
                                          repeated: false, pointer: false, keepsZero: false)
                values[number] = try wireValue(kind, wireType, &reader, field: field)
            }
        }
        return values
    }

    private static let goFieldNames: [String: [Int32: String]] = [
        "Timestamp": [1: "seconds", 2: "nanos"], "Quantity": [1: "string"],
        "IntOrString": [1: "type", 2: "intVal", 3: "strVal"], "RawExtension": [1: "raw"], "FieldsV1": [1: "raw"],
    ]

    private func int(_ value: WireValue?) -> Int64 {
        if case .bits(let bits) = value { return Int64(bitPattern: bits) }
        return 0
    }

    /// metav1.Time and MicroTime. An empty message is the zero time, which Go writes as `null`;
    /// Time's protobuf decoding drops the nanoseconds, MicroTime keeps microseconds.
    func time(_ range: Range<Int>?, micro: Bool) throws(ProtobufDecodingError) -> JSON {
        guard let range, !range.isEmpty else { return .null }
        let fields = try scalarFields([range], type: "Timestamp", [1: .int64, 2: .int32])
        var seconds = int(fields[1])
        var nanos = micro ? Int64(Int32(truncatingIfNeeded: int(fields[2]))) : 0
        seconds += nanos / 1_000_000_000
        nanos %= 1_000_000_000
        if nanos < 0 { nanos += 1_000_000_000; seconds -= 1 }
        // 0001-01-01T00:00:00Z is Go's zero time: `null` again.
        if seconds == -62_135_596_800, nanos == 0 { return .null }
        // Years 0 through 9999, the range RFC 3339 can write.
        guard seconds >= -62_167_219_200, seconds <= 253_402_300_799 else {
            throw ProtobufDecodingError(message: "Time.MarshalJSON: year outside of range [0,9999]")
        }
        let whole = Timestamp.format(Date(timeIntervalSince1970: Double(seconds)))
        guard micro else { return .string(whole) }
        let micros = String(nanos / 1000)
        return .string(whole.dropLast() + "." + String(repeating: "0", count: 6 - micros.count) + micros + "Z")
    }

    /// resource.Quantity {1 string}: the string as sent (the schema checks its syntax later);
    /// an empty message is the zero quantity, `"0"`.
    func quantity(_ ranges: [Range<Int>]) throws(ProtobufDecodingError) -> JSON {
        let fields = try scalarFields(ranges, type: "Quantity", [1: .string])
        guard let value = fields[1] else { return .string("0") }
        return try scalar(.string, value)
    }

    /// intstr.IntOrString: type 0 is intVal, type 1 is strVal, as its MarshalJSON writes it.
    func intOrString(_ ranges: [Range<Int>]) throws(ProtobufDecodingError) -> JSON {
        let fields = try scalarFields(ranges, type: "IntOrString", [1: .int64, 2: .int32, 3: .string])
        switch int(fields[1]) {
        case 0: return .int(Int64(Int32(truncatingIfNeeded: int(fields[2]))))
        case 1: return try fields[3].map { value throws(ProtobufDecodingError) in try scalar(.string, value) } ?? .string("")
        default: throw ProtobufDecodingError(message: "impossible IntOrString.Type")
        }
    }

    /// RawExtension and FieldsV1 carry JSON bytes, which Go's encoder writes out as they are;
    /// absent (nil) bytes are `null`.
    func embeddedJSON(_ ranges: [Range<Int>], type: String) throws(ProtobufDecodingError) -> JSON {
        let fields = try scalarFields(ranges, type: type, [1: .bytes])
        guard case .payload(let range)? = fields[1], !range.isEmpty else { return .null }
        do {
            return try JSONParser.parse(Array(bytes[range])).value
        } catch {
            throw ProtobufDecodingError(message: "json: error calling MarshalJSON for type *\(type == "FieldsV1" ? "v1" : "runtime").\(type): \(error.message)")
        }
    }

    /// metav1.Verbs and its kind: a message holding `repeated string items = 1`.
    func stringItems(_ ranges: [Range<Int>]) throws(ProtobufDecodingError) -> JSON {
        var items: [JSON] = []
        let field = ProtobufField(number: 1, jsonName: "items", kind: .string, repeated: true, pointer: false, keepsZero: false)
        for range in ranges {
            var reader = ProtobufWireReader(bytes, range)
            while !reader.isAtEnd {
                let (number, wireType) = try reader.key(in: "Verbs")
                guard number == 1 else {
                    try reader.skip(wireType: wireType)
                    continue
                }
                items.append(try scalar(.string, wireValue(.string, wireType, &reader, field: field)))
            }
        }
        return .array(items)
    }
}
