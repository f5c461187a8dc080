/// Decodes a request body against a kind's structural schema the way upstream's typed Go decoder
/// (sigs.k8s.io/json into the kind's struct) does, so Kubelite keeps, drops and rejects the same
/// things:
///
/// - unknown fields are dropped and reported by path (`spec.replcas`,
///   `spec.template.spec.containers[0].imagePullPolcy`); map keys are data, never unknown;
/// - `null` for a field is dropped (Go leaves pointers, maps and slices nil and omitempty omits
///   them); `null` inside a list or map becomes the element type's zero value, as in Go;
/// - quantities sent as numbers become canonical strings (`0.5` → `500m`);
/// - mistyped values produce Go's error text (`json: cannot unmarshal string into Go struct field
///   StatefulSetSpec.spec.replicas of type int32`), including int32/int64 overflow and fractions
///   sent for integers. As in Go only the first such error is kept, and an error raised by a
///   custom unmarshaller (Quantity, IntOrString, Time) stops decoding at once.
///
/// Recursion follows the schema, not the document: a value deeper than its schema is either kept
/// whole (free-form fields) or rejected for its type, so hostile nesting cannot grow the stack.
public struct StructuralDecoder: Sendable {
    public let schemas: SchemaSet

    public init(schemas: SchemaSet = .upstream) {
        self.schemas = schemas
    }

    public struct Result: Sendable {
        /// The body as the typed decoder would re-encode it: unknown fields and nulls dropped.
        public var object: JSON
        /// Paths of unknown fields, in document order, deduplicated.
        public var unknownFields: [String]
        /// Paths of known fields (or map keys) that appeared twice, from the parser's report.
        public var duplicateFields: [String]
        /// The strict errors (`unknown field "…"`, `duplicate field "…"`) in document order,
        /// deduplicated and capped at `StrictDecoding.maxErrors`: the Warning texts under
        /// `fieldValidation=Warn`, and the list `StrictDecoding.message` joins under `Strict`.
        public var strictErrors: [String]
        /// Go's decode error, when the body cannot be decoded into the type at all. Upstream then
        /// answers 400 whatever the field validation directive, and reports no strict errors.
        public var decodeError: String?
    }

    /// Decodes `value` as the definition of `kind`; nil when the kind has no schema.
    /// `duplicateFields` is `JSONParser.Result.duplicateFields` for the same body.
    public func decode(_ value: JSON, kind: GroupVersionKind, duplicateFields: [String] = []) -> Result? {
        guard let name = schemas.kinds[kind] else { return nil }
        return decode(value, as: .ref(name), duplicateFields: duplicateFields)
    }

    /// Decodes `value` as `type` (usually `.ref(<definition>)`).
    public func decode(_ value: JSON, as type: SchemaType, duplicateFields: [String] = []) -> Result {
        var walk = StructuralWalk(schemas: schemas, duplicates: Set(duplicateFields))
        let object: JSON
        if value.isNull {
            object = .null
        } else {
            object = walk.value(value, type, goType: nil) ?? .object([:])
        }
        return Result(object: object, unknownFields: walk.unknownFields, duplicateFields: walk.duplicateFields,
                      strictErrors: walk.strictErrors, decodeError: walk.decodeError)
    }
}
