/// How one protobuf field's value becomes JSON.
indirect enum ProtobufFieldKind: Sendable, Equatable {
    case string, bytes, bool, int32, int64, uint32, uint64, float, double
    /// A nested message, decoded by its own layout into a JSON object.
    case message(String)
    /// A Go embedded struct (`json:",inline"`): its fields land in the parent's JSON object.
    case inline(String)
    /// `map<string, value>`, sent as repeated entry messages {1 key, 2 value}.
    case map(ProtobufFieldKind)
    /// metav1.Time {1 seconds, 2 nanos}: RFC 3339 with whole seconds, `null` when empty.
    case time
    /// metav1.MicroTime: RFC 3339 with microseconds.
    case microTime
    /// resource.Quantity {1 string}.
    case quantity
    /// intstr.IntOrString {1 type, 2 intVal, 3 strVal}.
    case intOrString
    /// runtime.RawExtension {1 raw}: the raw bytes are the embedded object's JSON.
    case rawExtension
    /// metav1.FieldsV1 {1 Raw}: JSON bytes, as in managedFields.
    case fieldsV1
    /// A message wrapping `repeated string items = 1` (metav1.Verbs): a JSON array of strings.
    case stringItems

    /// Scalars are read straight from the wire; everything else is a length-delimited message.
    var isScalar: Bool {
        switch self {
        case .string, .bytes, .bool, .int32, .int64, .uint32, .uint64, .float, .double: return true
        default: return false
        }
    }

    /// The wire type a scalar is sent with when not packed.
    var scalarWireType: ProtobufWireType {
        switch self {
        case .double: return .fixed64
        case .float: return .fixed32
        case .string, .bytes: return .lengthDelimited
        default: return .varint
        }
    }
}

/// One field of a message: its number, JSON name and how Go's JSON encoder treats it.
struct ProtobufField: Sendable {
    var number: Int32
    var jsonName: String
    var kind: ProtobufFieldKind
    var repeated: Bool
    /// The Go field is a pointer: sent only when set, so a zero value is still a value.
    var pointer: Bool
    /// A value field without `omitempty` (schema `required`): its zero value stays in JSON.
    var keepsZero: Bool

    /// gogo's error texts name Go fields; the JSON name with a capital is the usual Go name.
    var goName: String { jsonName.prefix(1).uppercased() + jsonName.dropFirst() }
}

/// The fields of one message in Go struct order (the order Go's JSON encoder writes them).
struct ProtobufMessageLayout: Sendable {
    /// The OpenAPI definition name, e.g. `io.k8s.api.core.v1.ConfigMap`.
    var definition: String
    var fields: [ProtobufField]
    private var indexByNumber: [Int32: Int]

    init(definition: String, fields: [ProtobufField]) {
        self.definition = definition
        self.fields = fields
        var index: [Int32: Int] = [:]
        for (position, field) in fields.enumerated() { index[field.number] = position }
        self.indexByNumber = index
    }

    /// The Go type name used in gogo's error texts (`ConfigMap`).
    var goName: String { definition.split(separator: ".").last.map(String.init) ?? definition }

    func index(of number: Int32) -> Int? { indexByNumber[number] }
}

/// The layouts of every message Kubelite decodes, parsed once from `ProtobufFieldTable`.
enum ProtobufLayouts {
    static let upstream: [String: ProtobufMessageLayout] = parse(ProtobufFieldTable.text)

    /// Parses the table format described in scripts/generate-proto-fields.py. The table is
    /// generated and checked in, so a malformed line is a build defect, not an input error.
    static func parse(_ text: String) -> [String: ProtobufMessageLayout] {
        var layouts: [String: ProtobufMessageLayout] = [:]
        for line in text.split(separator: "\n") {
            let tokens = line.split(separator: " ")
            guard let name = tokens.first else { continue }
            let fields = tokens.dropFirst().map { field($0, in: name) }
            layouts[String(name)] = ProtobufMessageLayout(definition: String(name), fields: fields)
        }
        return layouts
    }

    private static func field(_ token: Substring, in message: Substring) -> ProtobufField {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 4, let number = Int32(parts[0]), let kind = kind(parts[3...]) else {
            preconditionFailure("ProtobufFieldTable: bad field \(token) in \(message); regenerate it")
        }
        let flags = parts[2]
        return ProtobufField(number: number, jsonName: String(parts[1]), kind: kind, repeated: flags.contains("r"),
                             pointer: flags.contains("p"), keepsZero: flags.contains("z"))
    }

    private static func kind(_ parts: ArraySlice<Substring>) -> ProtobufFieldKind? {
        guard let code = parts.first else { return nil }
        let argument = parts.dropFirst().first.map(String.init)
        switch code {
        case "s": return .string
        case "y": return .bytes
        case "b": return .bool
        case "i32": return .int32
        case "i64": return .int64
        case "u32": return .uint32
        case "u64": return .uint64
        case "f32": return .float
        case "f64": return .double
        case "m": return argument.map { .message($0) }
        case "in": return argument.map { .inline($0) }
        case "M": return kind(parts.dropFirst()).map { .map($0) }
        case "time": return .time
        case "mtime": return .microTime
        case "qty": return .quantity
        case "ios": return .intOrString
        case "raw": return .rawExtension
        case "fv1": return .fieldsV1
        case "items": return .stringItems
        default: return nil
        }
    }
}
