/// Upstream's structural defaulting (apiserver/schema/defaulting/algorithm.go): a property with a
/// `default` is filled in when absent, and a `null` is replaced when the node is not nullable; items and
/// additionalProperties values that are non-nullable nulls get their schema's default. Defaults are
/// applied top-down, so a defaulted object is itself defaulted below.
enum StructuralDefaulting {
    static func apply(_ value: JSON, _ s: JSONSchemaProps?) -> JSON {
        guard let s else { return value }
        switch value {
        case .object(var members):
            for (key, property) in s.properties {
                guard let d = property.defaultValue else { continue }
                if let existing = members[key], !isNonNullableNull(existing, property) { continue }
                members[key] = d
            }
            for (key, member) in members {
                if let property = s.properties[key] {
                    members[key] = apply(member, property)
                } else if let additional = s.additionalProperties?.schema {
                    let filled = isNonNullableNull(member, additional) ? additional.defaultValue! : member
                    members[key] = apply(filled, additional)
                }
            }
            return .object(members)
        case .array(let items):
            guard let itemSchema = s.items else { return value }
            return .array(items.map { item in
                apply(isNonNullableNull(item, itemSchema) ? itemSchema.defaultValue! : item, itemSchema)
            })
        default:
            return value
        }
    }

    static func isNonNullableNull(_ value: JSON, _ s: JSONSchemaProps?) -> Bool {
        guard let s else { return false }
        return value.isNull && !s.nullable && s.defaultValue != nil
    }
}
