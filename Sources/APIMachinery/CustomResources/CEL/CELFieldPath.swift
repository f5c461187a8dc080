import Foundation

/// A rule's `fieldPath` (`.spec.foo`, `.items['key']`) appended to the rule's node path.
enum CELFieldPath {
    static func append(_ fieldPath: String, to base: FieldPath?) -> FieldPath {
        var path = base
        var rest = Substring(fieldPath)
        while !rest.isEmpty {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                path = path?.child(String(name)) ?? FieldPath(String(name))
                rest = rest.dropFirst(name.count)
            } else if rest.hasPrefix("[") {
                let inside = rest.dropFirst().prefix { $0 != "]" }
                rest = rest.dropFirst(inside.count + 2)
                let trimmed = inside.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
                if let i = Int(trimmed), trimmed == String(inside) {
                    path = (path ?? FieldPath("")).index(i)
                } else {
                    path = (path ?? FieldPath("")).key(trimmed)
                }
            } else {
                break
            }
        }
        return path ?? FieldPath("<nil>")
    }

    /// Whether the path only names members the schema declares (upstream's ValidFieldPath).
    static func isValid(_ fieldPath: String, in schema: JSONSchemaProps) -> Bool {
        var node: JSONSchemaProps? = schema
        var rest = Substring(fieldPath)
        guard rest.hasPrefix(".") || rest.hasPrefix("[") else { return false }
        while !rest.isEmpty, let current = node {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { return false }
                rest = rest.dropFirst(name.count)
                node = current.properties[String(name)] ?? current.additionalProperties?.schema
                if node == nil, current.xPreserveUnknownFields != true { return false }
            } else if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return false }
                rest = rest[rest.index(after: close)...]
                node = current.additionalProperties?.schema ?? current.items
            } else {
                return false
            }
        }
        return true
    }
}

/// Values as CEL sees them through the schema: a `number` field holding 1 is the double 1.0.
enum CELTyping {
    static func typed(_ value: JSON, _ s: JSONSchemaProps?) -> JSON {
        guard let s else { return value }
        switch value {
        case .int(let i) where s.type == "number": return .double(Double(i))
        case .object(var members):
            for (k, v) in members {
                if let p = s.properties[k] ?? s.additionalProperties?.schema { members[k] = typed(v, p) }
            }
            return .object(members)
        case .array(let items):
            guard let itemSchema = s.items else { return value }
            return .array(items.map { typed($0, itemSchema) })
        default: return value
        }
    }
}
