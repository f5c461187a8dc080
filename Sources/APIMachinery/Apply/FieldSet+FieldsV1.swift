/// The `fieldsV1` encoding of a field set (structured-merge-diff's `Set.ToJSON`/`FromJSON`): an
/// object per node whose members are `f:`, `k:`, `v:` or `i:` elements, `{}` for a member, a nested
/// object for a subtree, and `".": {}` inside the subtree of an element that is also a member.
extension FieldSet {
    public struct DecodingError: Error, Sendable, Equatable {
        public var message: String
    }

    /// Decodes `fieldsV1`; an element name that is not one is an error, as upstream's parser's.
    public init(fieldsV1 json: JSON) throws(DecodingError) {
        guard case .object(let object) = json else {
            throw DecodingError(message: "expected an object, got \(json.typeName)")
        }
        self.init()
        for (name, value) in object {
            if name == "." { continue }
            guard let element = FieldPathElement(fieldsV1Key: name) else {
                throw DecodingError(message: "parsing JSON: unexpected key prefix in \(name)")
            }
            guard case .object(let inner) = value else {
                throw DecodingError(message: "expected an object for \(name), got \(value.typeName)")
            }
            if inner.isEmpty {
                members.insert(element)
                continue
            }
            if inner["."] != nil { members.insert(element) }
            let subtree = try FieldSet(fieldsV1: value)
            if !subtree.isEmpty { children[element] = subtree }
        }
    }

    /// Encodes in upstream's order (members and children merged in path element order, `.` first),
    /// so the bytes are what kube-apiserver would write for the same set.
    public var fieldsV1: JSON { .object(encoded(includeSelf: false)) }

    private func encoded(includeSelf: Bool) -> JSONObject {
        var object = JSONObject()
        if includeSelf, !isEmpty { object["."] = .object([:]) }
        var elements = Array(members)
        for element in children.keys where !members.contains(element) { elements.append(element) }
        for element in elements.count > 1 ? FieldPathElement.sorted(elements) : elements {
            if let subtree = children[element] {
                object[element.fieldsV1Key] = .object(subtree.encoded(includeSelf: members.contains(element)))
            } else {
                object[element.fieldsV1Key] = .object([:])
            }
        }
        return object
    }
}
