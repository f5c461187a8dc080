import APIMachinery

/// The first step of upstream's body decoding: the JSON serializer reads `apiVersion` and `kind`
/// into a struct of two strings (json/meta.go SimpleMetaFactory.Interpret) before anything else, so
/// a body that is not an object, or whose apiVersion or kind is not a string, is refused there
/// instead of having the URL's values written over it.
enum TypeMetaDecoding {
    /// encoding/json's error for the first member that cannot go into that struct, in document order
    /// (a null is no value and passes), or nil when the body reads.
    static func interpretError(_ value: JSON) -> String? {
        guard case .object(let object) = value else {
            return "couldn't get version/kind; json parse error: json: cannot unmarshal \(value.typeName) into Go value of type "
                + #"struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" }"#
        }
        for (key, member) in object where key == "apiVersion" || key == "kind" {
            switch member {
            case .string, .null: continue
            default:
                return "couldn't get version/kind; json parse error: json: cannot unmarshal \(member.typeName) into Go struct field .\(key) of type string"
            }
        }
        return nil
    }

    /// The object of a create or update body. A body that does not read: the handler's
    /// transformDecodeError names the expected kind and quotes the start of the body as sent.
    static func object(of body: RequestBody, expectedKind: String) throws(APIError) -> JSONObject {
        if case .object(let object) = body.value, interpretError(body.value) == nil { return object }
        let reason = interpretError(body.value) ?? ""
        let summary = summarize(body.raw ?? JSONWriter.encode(body.value))
        throw APIError.badRequest("the object provided is unrecognized (must be of type \(expectedKind)): \(reason) (\(summary))")
    }

    /// A JSON or merge patch's result: the patcher's DecodeInto failure is a 422 on the field `patch`
    /// whose value is the patched object.
    static func checkPatched(_ patched: JSON) throws(APIError) {
        guard let reason = interpretError(patched) else { return }
        let text = String(decoding: JSONWriter.encode(patched), as: UTF8.self)
        throw APIError.invalid(GroupKind(group: "", kind: ""), "", [.invalid(FieldPath("patch"), text, reason)])
    }

    /// Upstream summarizeData(body, 30): an object's first 30 bytes as text, anything else in hex.
    static func summarize(_ data: [UInt8], maxLength: Int = 30) -> String {
        guard let first = data.first else { return "<empty>" }
        let head = data.prefix(maxLength)
        let text = first == UInt8(ascii: "{") ? String(decoding: head, as: UTF8.self)
                                              : head.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        return data.count > maxLength ? text + " ..." : text
    }
}
