extension StructuralSchema {
    /// The JSON members upstream allows at the root of a schema whose version enables the status
    /// subresource (allowedFieldsAtRootSchema), because the status endpoint validates
    /// `properties.status` on its own and root-level constraints could not be honoured there.
    static let membersAllowedAtRootWithStatus: Set<String> = [
        "description", "type", "format", "title", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "multipleOf", "required",
        "items", "properties", "externalDocs", "example", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-validations",
    ]
    static let goNamesAllowedAtRootWithStatus = "[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations]"

    /// CRD validation's extra rule for a version with `subresources.status`: only the members above
    /// at the root, and the root's type must be object. `path` is the version's `schema` path
    /// (upstream reports at `<path>.openAPIV3Schema`). The bad value, a Go struct dump upstream, is omitted.
    public static func validateRootForStatusSubresource(openAPIV3Schema: JSON, path: FieldPath) -> [FieldError] {
        guard let members = openAPIV3Schema.objectValue else { return [] }
        if let type = members["type"]?.stringValue, type != "object" {
            return [.invalid(path.child("openAPIV3Schema.type"), type, #"only "object" is allowed as the type at the root of the schema if the status subresource is enabled"#)]
        }
        let significant = members.filter { key, value in
            // Upstream skips zero values: false, empty strings and empty collections count as unset.
            switch value {
            case .null, .bool(false): return false
            case .string(let s): return !s.isEmpty
            case .array(let a): return !a.isEmpty
            case .object(let o): return !o.isEmpty || key == "default"
            default: return true
            }
        }
        if significant.keys.contains(where: { !membersAllowedAtRootWithStatus.contains($0) }) {
            return [.invalidOmittingValue(path.child("openAPIV3Schema"), "only \(goNamesAllowedAtRootWithStatus) fields are allowed at the root of the schema if the status subresource is enabled")]
        }
        return []
    }
}
