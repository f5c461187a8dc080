import APIMachinery

/// Quantities as upstream stores them: decoding a resource.Quantity and encoding it again writes its
/// canonical form (`0.5` → `500m`, `1000000` → `1M`), so every ResourceList reads back canonical.
enum ResourceListDefaults {
    /// The list with every parsable quantity in canonical form; unparsable values are left for
    /// validation to report.
    static func canonical(_ list: JSON) -> JSON {
        guard case .object(var members) = list else { return list }
        for (key, value) in members { members[key] = canonicalQuantity(value) }
        return .object(members)
    }

    static func canonicalQuantity(_ value: JSON) -> JSON {
        switch value {
        case .string(let s):
            guard let q = try? Quantity(parsing: s) else { return value }
            return .string(q.canonical)
        case .int, .double:
            guard let q = try? Quantity(parsing: FieldError.render(value)) else { return value }
            return .string(q.canonical)
        default:
            return value
        }
    }
}
