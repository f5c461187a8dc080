/// One pass of `StructuralDecoder` over a body. It keeps the two contexts Go's decoder keeps:
/// the strict field path (keys, map keys and indexes: `spec.containers[0].name`) for unknown and
/// duplicate fields, and the error context (innermost struct name and the JSON names of the
/// struct fields leading to the value, no indexes or map keys) for type errors.
struct StructuralWalk {
    let schemas: SchemaSet
    let duplicates: Set<String>

    private(set) var unknownFields: [String] = []
    private(set) var duplicateFields: [String] = []
    private(set) var strictErrors: [String] = []
    private(set) var decodeError: String?
    private var seenStrictErrors: Set<String> = []
    private var aborted = false

    private var path: [PathElement] = []
    private var goFields: [String] = []
    private var goStruct: String?
    private var depth = 0

    /// Schemas nest far less than this; a deeper value is kept as it is rather than walked.
    private static let maxDepth = 256
    private static let timeDefinitions: Set<String> = [
        "io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
    ]

    private enum PathElement { case key(String), index(Int) }

    init(schemas: SchemaSet, duplicates: Set<String>) {
        self.schemas = schemas
        self.duplicates = duplicates
    }

    /// The decoded form of a non-null `value`, or nil when it cannot be stored (type error).
    /// `goType` names the field's Go type when it is a named type OpenAPI does not record.
    mutating func value(_ value: JSON, _ declared: SchemaType, goType: String?) -> JSON? {
        if aborted { return nil }
        var type = declared
        var definition: String?
        var hops = 0
        while case .ref(let name) = type, hops < 32 {
            definition = name
            type = schemas.definitions[name] ?? .any
            hops += 1
        }
        if depth >= Self.maxDepth { return value }
        depth += 1
        defer { depth -= 1 }
        // Only error messages need the Go type name: computed on a mismatch, not for every value.
        let schemas = self.schemas
        let typeName = { goType ?? GoTypeNames.name(of: declared, in: schemas) }

        switch type {
        case .any, .ref:
            return value
        case .object(let properties, _, let additional):
            guard case .object(let object) = value else { return mismatch(value, typeName()) }
            if let additional, properties.isEmpty {
                return map(object, values: additional, goType: goType.flatMap(GoTypeNames.elementName(of:)))
            }
            return structure(object, properties, name: definition.map(GoTypeNames.structName) ?? "")
        case .array(let items):
            guard case .array(let elements) = value else { return mismatch(value, typeName()) }
            return array(elements, items: items, goType: goType.flatMap(GoTypeNames.elementName(of:)))
        case .string(let format, _):
            if let definition, Self.timeDefinitions.contains(definition) {
                guard case .string = value else { return abort(typeMessage(value.typeName, "string")) }
                return value
            }
            guard case .string(let text) = value else { return mismatch(value, typeName()) }
            if format == "byte", let error = Base64Syntax.error(in: text) {
                if decodeError == nil { decodeError = error }
                return nil
            }
            return value
        case .integer(let format):
            return integer(value, bits: format == "int32" ? 32 : 64, typeName: typeName(), abortOnError: false)
        case .number:
            switch value {
            case .int, .double: return value
            default: return mismatch(value, typeName())
            }
        case .boolean:
            guard case .bool = value else { return mismatch(value, typeName()) }
            return value
        case .intOrString:
            if case .string = value { return value }
            return integer(value, bits: 32, typeName: "int32", abortOnError: true)
        case .quantity:
            switch value {
            case .string(let text):
                if let error = QuantitySyntax.error(in: text) { return abort(error) }
                return value
            case .int, .double:
                return .string(QuantitySyntax.string(for: value))
            default:
                return abort(QuantitySyntax.formatWrong)
            }
        }
    }

    private mutating func structure(_ object: JSONObject, _ properties: [String: SchemaField], name: String) -> JSON? {
        var out = JSONObject()
        out.reserveCapacity(object.count)
        for (key, member) in object {
            guard let field = properties[key] else {
                reportUnknown(key)
                continue
            }
            checkDuplicate(key)
            if member.isNull { continue }
            let savedStruct = goStruct
            goStruct = name
            goFields.append(key)
            path.append(.key(key))
            let decoded = value(member, field.type, goType: GoTypeNames.fieldType(name, key))
            path.removeLast()
            goFields.removeLast()
            goStruct = savedStruct
            if let decoded { out[key] = decoded }
            if aborted { return nil }
        }
        return .object(out)
    }

    private mutating func map(_ object: JSONObject, values: SchemaType, goType: String?) -> JSON? {
        var out = JSONObject()
        out.reserveCapacity(object.count)
        for (key, member) in object {
            checkDuplicate(key)
            path.append(.key(key))
            let decoded = member.isNull ? zeroValue(values) : value(member, values, goType: goType)
            path.removeLast()
            if let decoded { out[key] = decoded }
            if aborted { return nil }
        }
        return .object(out)
    }

    private mutating func array(_ elements: [JSON], items: SchemaType, goType: String?) -> JSON? {
        var out: [JSON] = []
        out.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            path.append(.index(index))
            let decoded = element.isNull ? zeroValue(items) : value(element, items, goType: goType)
            path.removeLast()
            out.append(decoded ?? zeroValue(items))
            if aborted { return nil }
        }
        return .array(out)
    }

    /// An integer field: Go's ParseInt rejects fractions and exponents and checks the range.
    private mutating func integer(_ value: JSON, bits: Int, typeName: String, abortOnError: Bool) -> JSON? {
        let message: String
        switch value {
        case .int(let i):
            if bits == 64 || (Int64(Int32.min)...Int64(Int32.max)).contains(i) { return value }
            message = typeMessage("number \(i)", typeName)
        case .double(let d):
            message = typeMessage("number \(d)", typeName)
        default:
            message = typeMessage(value.typeName, typeName)
        }
        if abortOnError { return abort(message) }
        if decodeError == nil { decodeError = message }
        return nil
    }

    /// Go's zero value for a list or map element sent as `null`.
    private func zeroValue(_ type: SchemaType) -> JSON {
        switch schemas.resolve(type) {
        case .string(let format, _): return format == "byte" ? .null : .string("")
        case .integer, .number, .intOrString: return .int(0)
        case .boolean: return .bool(false)
        case .quantity: return .string("0")
        case .object(let properties, _, let additional): return additional != nil && properties.isEmpty ? .null : .object([:])
        case .array, .any, .ref: return .null
        }
    }

    private mutating func mismatch(_ value: JSON, _ typeName: String) -> JSON? {
        if decodeError == nil { decodeError = typeMessage(value.typeName, typeName) }
        return nil
    }

    /// A custom unmarshaller's error: it ends decoding and replaces any earlier saved error.
    private mutating func abort(_ message: String) -> JSON? {
        decodeError = message
        aborted = true
        return nil
    }

    /// Go's UnmarshalTypeError text with the current error context.
    private func typeMessage(_ valueDescription: String, _ typeName: String) -> String {
        if goStruct == nil && goFields.isEmpty {
            return "json: cannot unmarshal \(valueDescription) into Go value of type \(typeName)"
        }
        let field = goFields.joined(separator: ".")
        return "json: cannot unmarshal \(valueDescription) into Go struct field \(goStruct ?? "").\(field) of type \(typeName)"
    }

    private mutating func reportUnknown(_ key: String) {
        let fieldPath = renderPath(appending: key)
        if addStrictError(StrictDecoding.unknownField(fieldPath)) { unknownFields.append(fieldPath) }
    }

    private mutating func checkDuplicate(_ key: String) {
        guard !duplicates.isEmpty else { return }
        let fieldPath = renderPath(appending: key)
        guard duplicates.contains(fieldPath) else { return }
        if addStrictError(StrictDecoding.duplicateField(fieldPath)) { duplicateFields.append(fieldPath) }
    }

    /// Adds a strict error unless already reported or over the cap; true when added.
    private mutating func addStrictError(_ message: String) -> Bool {
        guard strictErrors.count < StrictDecoding.maxErrors, seenStrictErrors.insert(message).inserted else { return false }
        strictErrors.append(message)
        return true
    }

    private func renderPath(appending key: String) -> String {
        var out = ""
        for element in path {
            switch element {
            case .key(let k): out += out.isEmpty ? k : ".\(k)"
            case .index(let i): out += "[\(i)]"
            }
        }
        return out.isEmpty ? key : "\(out).\(key)"
    }
}
