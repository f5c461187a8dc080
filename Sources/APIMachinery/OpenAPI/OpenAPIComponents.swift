/// `components.schemas` of one document: every definition its paths reference, transitively,
/// in upstream's v3 form. Upstream wraps a property's `$ref` in `allOf` (so siblings such as
/// list extensions can sit beside it) and gives struct list items `allOf` plus `default: {}`;
/// kind schemas keep `x-kubernetes-group-version-kind`, which `kubectl explain` looks up.
struct OpenAPIComponents {
    let definitions: JSONObject

    /// The referenced closure of `roots` (definition names), converted, keyed by name.
    func schemas(reachableFrom roots: Set<String>) -> JSONObject {
        var seen: Set<String> = []
        var pending = roots.sorted()
        while let name = pending.popLast() {
            guard !seen.contains(name), let schema = definitions[name] else { continue }
            seen.insert(name)
            var found: Set<String> = []
            Self.collectReferences(schema, into: &found)
            pending.append(contentsOf: found.subtracting(seen).sorted())
        }
        var out = JSONObject()
        for name in seen.sorted() {
            out[name] = definitions[name].map(convert)
        }
        return out
    }

    /// Names referenced by `$ref` anywhere in `node` (schemas are a few levels deep).
    static func collectReferences(_ node: JSON, into names: inout Set<String>) {
        switch node {
        case .object(let object):
            if let ref = object["$ref"]?.stringValue, ref.hasPrefix(OpenAPIOperations.schemaPrefix) {
                names.insert(String(ref.dropFirst(OpenAPIOperations.schemaPrefix.count)))
            }
            for value in object.values { collectReferences(value, into: &names) }
        case .array(let array):
            for value in array { collectReferences(value, into: &names) }
        default:
            break
        }
    }

    private func convert(_ schema: JSON) -> JSON {
        guard case .object(var object) = schema else { return schema }
        if case .object(let properties)? = object["properties"] {
            var converted = JSONObject()
            for (name, property) in properties {
                converted[name] = convertProperty(property)
            }
            object["properties"] = .object(converted)
        }
        if let items = object["items"] {
            object["items"] = convertItems(items)
        }
        if let additional = object["additionalProperties"], additional.objectValue != nil {
            object["additionalProperties"] = convert(additional)
        }
        return .object(object)
    }

    private func convertProperty(_ property: JSON) -> JSON {
        guard case .object(var object) = property, let ref = object.removeValue(forKey: "$ref") else {
            return convert(property)
        }
        object["allOf"] = [["$ref": ref]]
        return .object(object)
    }

    private func convertItems(_ items: JSON) -> JSON {
        guard case .object(let object) = items, let ref = object["$ref"]?.stringValue else { return convert(items) }
        let name = String(ref.dropFirst(OpenAPIOperations.schemaPrefix.count))
        guard definitions[name]?["properties"] != nil else { return items }
        return ["allOf": [["$ref": .string(ref)]], "default": .object([:])]
    }
}
