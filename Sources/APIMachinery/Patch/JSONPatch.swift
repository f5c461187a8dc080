/// JSON patch (RFC 6902, `application/json-patch+json`) as kube-apiserver applies it with
/// evanphx/json-patch v4 (gopkg.in/evanphx/json-patch.v4), including that library's departures
/// from the RFC: negative array indices count from the end, `replace` of a missing object member
/// adds it, `copy` from a missing member copies null, and a path's first segment is ignored.
public struct JSONPatch: Sendable {
    /// kube-apiserver's `maxJSONPatchOperations`.
    public static let maxOperations = 10_000

    /// The operations as sent: objects (or `null`, which fails at apply time like upstream).
    public let operations: [JSON]

    /// A failure inside the library, with evanphx/json-patch v4's wording. The API answers it as
    /// `APIError.patchRejected` (upstream drops the text); it is kept here for logs and tests.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Decodes a patch body with the handler's checks, in its order: the typed decode done for
    /// field validation Warn/Strict (the default is Warn), the library's own decode, then the
    /// operation limit (413).
    public init(_ patch: JSON, decodingStrictly: Bool = true) throws(APIError) {
        if decodingStrictly, let problem = Self.strictDecodingProblem(patch) {
            throw .badRequest("error decoding patch: json: " + problem)
        }
        switch patch {
        case .null:
            operations = []
        case .array(let items):
            if let bad = items.first(where: { $0.objectValue == nil && !$0.isNull }) {
                throw .badRequest("json: cannot unmarshal \(bad.typeName) into Go value of type jsonpatch.Operation")
            }
            operations = items
        default:
            throw .badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type jsonpatch.Patch")
        }
        if operations.count > Self.maxOperations { throw .tooManyPatchOperations(operations.count) }
    }

    /// Decodes and applies in one step, as the PATCH handler does.
    public static func apply(_ patch: JSON, to document: JSON, decodingStrictly: Bool = true) throws(APIError) -> JSON {
        try JSONPatch(patch, decodingStrictly: decodingStrictly).apply(to: document)
    }

    /// Applies every operation in order; any failure rejects the whole patch with 422.
    public func apply(to document: JSON) throws(APIError) -> JSON {
        do {
            return try applyOperations(to: document)
        } catch {
            throw .patchRejected
        }
    }

    /// Applies every operation, reporting the library's own failure text.
    public func applyOperations(to document: JSON) throws(Failure) -> JSON {
        var doc = JSONPointerDocument(root: document)
        for op in operations {
            try doc.apply(JSONPatchOperation(op))
        }
        return doc.root
    }

    /// The first error of decoding into `[]handlers.jsonPatchOp` (op, path and from are strings).
    private static func strictDecodingProblem(_ patch: JSON) -> String? {
        switch patch {
        case .null: return nil
        case .array(let items):
            for item in items {
                switch item {
                case .null: continue
                case .object(let fields):
                    for (name, value) in fields where ["op", "path", "from"].contains(name) {
                        if value.stringValue == nil && !value.isNull {
                            return "cannot unmarshal \(value.typeName) into Go struct field jsonPatchOp.\(name) of type string"
                        }
                    }
                default:
                    return "cannot unmarshal \(item.typeName) into Go value of type handlers.jsonPatchOp"
                }
            }
            return nil
        default:
            return "cannot unmarshal \(patch.typeName) into Go value of type []handlers.jsonPatchOp"
        }
    }
}

/// One operation's fields read the way v4's `Operation` accessors read them.
struct JSONPatchOperation {
    let fields: JSONObject?

    init(_ json: JSON) { fields = json.objectValue }

    /// `Kind()`: "unknown" when missing or not a string.
    var kind: String { fields?["op"]?.stringValue ?? "unknown" }

    /// The `value` member; nil when absent. JSON null is `.null`, which v4 also treats as absent
    /// in `test` (a nil RawMessage).
    var value: JSON? { fields?["value"] }

    func string(_ name: String, operation: String) throws(JSONPatch.Failure) -> String {
        guard let raw = fields?[name], !raw.isNull else {
            let what = name == "path" ? "operation missing path field" : "operation, missing from field"
            throw JSONPatch.Failure(message: "\(operation) operation failed to decode \(name): \(what): missing value")
        }
        guard let s = raw.stringValue else {
            throw JSONPatch.Failure(message: "\(operation) operation failed to decode \(name): json: cannot unmarshal \(raw.typeName) into Go value of type string")
        }
        return s
    }
}
