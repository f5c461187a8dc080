/// YAML request and response bodies, as the API server handles `application/yaml` through
/// sigs.k8s.io/yaml (go-yaml v2 underneath): YAML 1.1 scalars (`yes`/`on` are booleans, `0777` is
/// octal), only the first document of a body, and `JSONToYAML`'s output layout for responses.
public enum YAMLCodec {
    /// go-yaml's nesting limit; deeper documents are rejected before they can exhaust the stack.
    public static let maxDepth = 10_000

    public struct Result: Sendable {
        public var value: JSON
        /// Field paths (`spec.replicas`) of keys that appeared twice in one mapping; the last one wins.
        public var duplicateFields: [String]
        /// go-yaml's strict-mode lines for those keys: `line 5: key "replicas" already set in map`.
        public var strictErrors: [String]

        /// The strict decoding error upstream reports (wrapped by the server as
        /// `strict decoding error: ...`), or nil when no key was repeated.
        public var strictErrorMessage: String? {
            strictErrors.isEmpty ? nil : "yaml: unmarshal errors:\n  " + strictErrors.joined(separator: "\n  ")
        }
    }

    /// Decodes the first document of a YAML body to JSON (an empty body is `null`).
    /// Syntax errors, excessive nesting or aliasing and values JSON cannot hold (`.nan`) are a
    /// 400 BadRequest whose message is go-yaml's (`yaml: line 3: mapping values are not allowed in this context`).
    public static func decode(_ bytes: [UInt8]) throws(APIError) -> Result {
        let documents = try YAMLComposer.compose(bytes, firstOnly: true)
        return documents.first ?? Result(value: .null, duplicateFields: [], strictErrors: [])
    }

    /// Decodes every document of a multi-document stream (`---` separated), in order.
    public static func decodeAll(_ bytes: [UInt8]) throws(APIError) -> [Result] {
        try YAMLComposer.compose(bytes, firstOnly: false)
    }

    /// Encodes JSON as sigs.k8s.io/yaml.JSONToYAML does: keys sorted (go-yaml's natural order), block
    /// style with 2-space indent and sequences not indented under their key, strings quoted only when
    /// they would read back as another type, multi-line strings as literal blocks, lines folded at 80.
    public static func encode(_ json: JSON) -> String {
        YAMLEmitter.emit(json)
    }
}
