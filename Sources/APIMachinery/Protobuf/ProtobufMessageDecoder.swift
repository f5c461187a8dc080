/// Decodes one protobuf message into the JSON object Go's JSON encoder would write for the same
/// Go value, driven by the message's `ProtobufMessageLayout`:
///
/// - fields come out in Go struct order; unknown field numbers are skipped, as Go's generated
///   `Unmarshal` skips them;
/// - value (non-pointer) scalars are always on the wire, so a zero value there means "unset" and is
///   dropped unless the field has no `omitempty` (`keepsZero`); pointer scalars keep their zero;
/// - messages present on the wire are kept, even empty (`"spec": {}`), as Go writes structs;
/// - repeated scalars are accepted packed and unpacked; a singular field sent twice keeps the
///   last scalar, and merges the messages, as protobuf specifies.
///
/// Recursion follows the layouts, which the generator checks are acyclic, and is capped at
/// `maxDepth` besides, so a hostile body cannot grow the stack.
struct ProtobufMessageDecoder {
    let layouts: [String: ProtobufMessageLayout]
    let bytes: [UInt8]
    private var depth = 0

    /// Upstream's schemas nest about 15 messages deep (a StatefulSet's volume claim templates).
    static let maxDepth = 64

    init(layouts: [String: ProtobufMessageLayout], bytes: [UInt8]) {
        self.layouts = layouts
        self.bytes = bytes
    }

    /// A field's value as read from the wire, before it is given its JSON form.
    enum WireValue {
        case bits(UInt64)
        case payload(Range<Int>)
    }

    /// What one message's fields have collected while its ranges are read.
    private struct Collected {
        var values: [[JSON]]
        var entries: [JSONObject]
        var messages: [[Range<Int>]]

        init(count: Int) {
            values = Array(repeating: [], count: count)
            entries = Array(repeating: [:], count: count)
            messages = Array(repeating: [], count: count)
        }
    }

    /// Decodes the message `definition` from `ranges` of `bytes` (several ranges merge).
    mutating func object(_ definition: String, _ ranges: [Range<Int>]) throws(ProtobufDecodingError) -> JSONObject {
        guard let layout = layouts[definition] else {
            throw ProtobufDecodingError(message: "proto: no message layout for \(definition)")
        }
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw .maxDepth }
        var collected = Collected(count: layout.fields.count)
        for range in ranges {
            var reader = ProtobufWireReader(bytes, range)
            while !reader.isAtEnd {
                let (number, wireType) = try reader.key(in: layout.goName)
                guard let index = layout.index(of: number) else {
                    try reader.skip(wireType: wireType)
                    continue
                }
                try read(layout.fields[index], wireType: wireType, from: &reader, into: &collected, at: index)
            }
        }
        return try emit(layout, collected)
    }

    private mutating func read(_ field: ProtobufField, wireType: Int, from reader: inout ProtobufWireReader,
                               into collected: inout Collected, at index: Int) throws(ProtobufDecodingError) {
        let kind = field.kind
        if case .map(let valueKind) = kind {
            guard wireType == ProtobufWireType.lengthDelimited.rawValue else { throw .wrongWireType(wireType, field: field.goName) }
            let (key, value) = try mapEntry(reader.lengthDelimited(), valueKind, field: field)
            collected.entries[index][key] = value
        } else if kind.isScalar {
            if field.repeated, wireType == ProtobufWireType.lengthDelimited.rawValue, kind.scalarWireType != .lengthDelimited {
                var packed = ProtobufWireReader(bytes, try reader.lengthDelimited())
                while !packed.isAtEnd {
                    collected.values[index].append(try scalar(kind, wireValue(kind, kind.scalarWireType.rawValue, &packed, field: field)))
                }
                return
            }
            let value = try scalar(kind, wireValue(kind, wireType, &reader, field: field))
            if field.repeated {
                collected.values[index].append(value)
            } else {
                collected.values[index] = [value]
            }
        } else {
            guard wireType == ProtobufWireType.lengthDelimited.rawValue else { throw .wrongWireType(wireType, field: field.goName) }
            let range = try reader.lengthDelimited()
            if field.repeated {
                collected.values[index].append(try messageValue(kind, [range]))
            } else {
                collected.messages[index].append(range)
            }
        }
    }

    private mutating func emit(_ layout: ProtobufMessageLayout, _ collected: Collected) throws(ProtobufDecodingError) -> JSONObject {
        var object = JSONObject()
        for (index, field) in layout.fields.enumerated() {
            switch field.kind {
            case .inline(let definition):
                guard !collected.messages[index].isEmpty else { continue }
                for (key, value) in try self.object(definition, collected.messages[index]) { object[key] = value }
            case .map:
                if !collected.entries[index].isEmpty { object[field.jsonName] = .object(collected.entries[index]) }
            default:
                if field.repeated {
                    if !collected.values[index].isEmpty { object[field.jsonName] = .array(collected.values[index]) }
                } else if field.kind.isScalar {
                    guard let value = collected.values[index].last else { continue }
                    if field.pointer || field.keepsZero || !Self.isZero(value) { object[field.jsonName] = value }
                } else if !collected.messages[index].isEmpty {
                    object[field.jsonName] = try messageValue(field.kind, collected.messages[index])
                }
            }
        }
        return object
    }

    /// A map entry {1 key, 2 value}; a missing key or value is Go's zero value.
    private mutating func mapEntry(_ range: Range<Int>, _ valueKind: ProtobufFieldKind,
                                   field: ProtobufField) throws(ProtobufDecodingError) -> (String, JSON) {
        var reader = ProtobufWireReader(bytes, range)
        var key = ""
        var scalarValue: JSON?
        var messageRanges: [Range<Int>] = []
        while !reader.isAtEnd {
            let (number, wireType) = try reader.key(in: field.goName + "Entry")
            switch number {
            case 1:
                key = try scalar(.string, wireValue(.string, wireType, &reader, field: field)).stringValue ?? ""
            case 2 where valueKind.isScalar:
                scalarValue = try scalar(valueKind, wireValue(valueKind, wireType, &reader, field: field))
            case 2:
                guard wireType == ProtobufWireType.lengthDelimited.rawValue else { throw .wrongWireType(wireType, field: field.goName) }
                messageRanges.append(try reader.lengthDelimited())
            default:
                try reader.skip(wireType: wireType)
            }
        }
        if valueKind.isScalar { return (key, scalarValue ?? Self.zero(valueKind)) }
        return (key, try messageValue(valueKind, messageRanges))
    }

    /// The JSON of a message-typed field; `ranges` may be empty (a map value left out).
    mutating func messageValue(_ kind: ProtobufFieldKind, _ ranges: [Range<Int>]) throws(ProtobufDecodingError) -> JSON {
        switch kind {
        case .message(let definition), .inline(let definition): return .object(try object(definition, ranges))
        case .time: return try time(ranges.last, micro: false)
        case .microTime: return try time(ranges.last, micro: true)
        case .quantity: return try quantity(ranges)
        case .intOrString: return try intOrString(ranges)
        case .rawExtension: return try embeddedJSON(ranges, type: "RawExtension")
        case .fieldsV1: return try embeddedJSON(ranges, type: "FieldsV1")
        case .stringItems: return try stringItems(ranges)
        case .map(let valueKind): return try messageValue(valueKind, ranges)
        default: return Self.zero(kind)
        }
    }

    /// Reads a scalar's wire value, checking the wire type the way gogo's `Unmarshal` does.
    func wireValue(_ kind: ProtobufFieldKind, _ wireType: Int, _ reader: inout ProtobufWireReader,
                   field: ProtobufField) throws(ProtobufDecodingError) -> WireValue {
        guard wireType == kind.scalarWireType.rawValue else { throw .wrongWireType(wireType, field: field.goName) }
        switch kind.scalarWireType {
        case .fixed64: return .bits(try reader.fixed64())
        case .fixed32: return .bits(UInt64(try reader.fixed32()))
        case .lengthDelimited: return .payload(try reader.lengthDelimited())
        default: return .bits(try reader.varint())
        }
    }
}
