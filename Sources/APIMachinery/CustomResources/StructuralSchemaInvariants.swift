/// Upstream's ValidateStructural (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/validation.go
/// and complete.go): every specified field has a type, value validations under allOf/anyOf/oneOf/not
/// only restrict (no types, defaults, descriptions or extensions there), everything they name is also
/// specified outside of them, and metadata at the root only restricts name and generateName.
///
/// Errors are sorted by their text, as upstream sorts them, so the output is stable.
enum StructuralSchemaInvariants {
    enum Level { case root, item, field }

    static func validate(_ schema: JSONSchemaProps, path: FieldPath) -> [FieldError] {
        var errs = invariants(schema, .root, path)
        errs += completeness(schema, schema, sPath: path, vPath: path)
        return errs.sorted { $0.description < $1.description }
    }

    private static func invariants(_ s: JSONSchemaProps?, _ level: Level, _ path: FieldPath) -> [FieldError] {
        guard let s else { return [] }
        var errs: [FieldError] = []
        if s.type == "array", s.items == nil { errs.append(.required(path.child("items"), "must be specified")) }
        errs += invariants(s.items, .item, path.child("items"))
        for (k, v) in s.properties { errs += invariants(v, .field, path.child("properties").key(k)) }
        if let additional = s.additionalProperties {
            if level == .root { errs.append(.forbidden(path.child("additionalProperties"), "must not be used at the root")) }
            errs += invariants(additional.schema, .field, path.child("additionalProperties"))
        }
        if s.xIntOrString, s.xPreserveUnknownFields == true {
            errs.append(.invalid(path.child("x-kubernetes-preserve-unknown-fields"), .bool(true), "must be false if x-kubernetes-int-or-string is true"))
        }
        if s.xIntOrString, s.xEmbeddedResource {
            errs.append(.invalid(path.child("x-kubernetes-embedded-resource"), .bool(true), "must be false if x-kubernetes-int-or-string is true"))
        }
        errs += valueValidation(s, skipAnyOf: isIntOrStringAnyOf(s.anyOf), skipFirstAllOfAnyOf: isIntOrStringAllOf(s), level, path)

        if s.xEmbeddedResource, s.type != "object" {
            if s.type.isEmpty {
                errs.append(.required(path.child("type"), "must be object if x-kubernetes-embedded-resource is true"))
            } else {
                errs.append(.invalid(path.child("type"), s.type, "must be object if x-kubernetes-embedded-resource is true"))
            }
        } else if s.isTypeless {
            switch level {
            case .root: errs.append(.required(path.child("type"), "must not be empty at the root"))
            case .item: errs.append(.required(path.child("type"), "must not be empty for specified array items"))
            case .field: errs.append(.required(path.child("type"), "must not be empty for specified object fields"))
            }
        }
        if s.xEmbeddedResource, s.additionalProperties != nil {
            errs.append(.forbidden(path.child("additionalProperties"), "must not be used if x-kubernetes-embedded-resource is set"))
        }
        if level == .root, !s.type.isEmpty, s.type != "object" {
            errs.append(.invalid(path.child("type"), s.type, "must be object at the root"))
        }
        let checkMetadata = level == .root || s.xEmbeddedResource
        for name in ["kind", "apiVersion"] where checkMetadata {
            if let p = s.properties[name], p.type != "string" {
                errs.append(.invalid(path.child("properties").key(name).child("type"), p.type, "must be string"))
            }
        }
        if let metadata = s.properties["metadata"] {
            errs += metadataInvariants(metadata, checkMetadata, level, path.child("properties").key("metadata"))
        }
        if s.xEmbeddedResource, s.xPreserveUnknownFields != true, s.properties.isEmpty {
            errs.append(.required(path.child("properties"), "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"))
        }
        return errs
    }

    /// Root metadata may say only that name and generateName are strings (with value validations on them).
    private static func metadataInvariants(_ s: JSONSchemaProps, _ checkMetadata: Bool, _ level: Level, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        if checkMetadata, s.type != "object" { errs.append(.invalid(path.child("type"), s.type, "must be object")) }
        guard level == .root else { return errs }
        let extraProperties = s.properties.keys.contains { $0 != "name" && $0 != "generateName" }
        // Upstream clears type, default and a name/generateName-only properties map, then requires
        // nothing else to be left: any other member would restrict metadata the server owns.
        let otherMembers = (s.raw.objectValue?.keys ?? []).contains { !["type", "properties", "default"].contains($0) }
        let structuralExtras = extraProperties || otherMembers
        if structuralExtras {
            errs.append(.forbidden(path, "must not specify anything other than name and generateName, but metadata is implicitly specified"))
        }
        return errs
    }

    private static func isIntOrStringAnyOf(_ anyOf: [JSONSchemaProps]) -> Bool {
        anyOf.count == 2 && anyOf.map(\.raw) == [["type": "integer"], ["type": "string"]]
    }

    private static func isIntOrStringAllOf(_ s: JSONSchemaProps) -> Bool {
        guard let first = s.allOf.first else { return false }
        return isIntOrStringAnyOf(first.anyOf)
    }

    private static func valueValidation(_ s: JSONSchemaProps, skipAnyOf: Bool, skipFirstAllOfAnyOf: Bool, _ level: Level, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        if !skipAnyOf {
            for (i, v) in s.anyOf.enumerated() { errs += nested(v, skipAnyOf: false, level, path.child("anyOf").index(i)) }
        }
        for (i, v) in s.allOf.enumerated() {
            errs += nested(v, skipAnyOf: skipFirstAllOfAnyOf && i == 0, level, path.child("allOf").index(i))
        }
        for (i, v) in s.oneOf.enumerated() { errs += nested(v, skipAnyOf: false, level, path.child("oneOf").index(i)) }
        if let not = s.not { errs += nested(not, skipAnyOf: false, level, path.child("not")) }
        if let pattern = s.pattern, s.patternRegex == nil {
            errs.append(.invalid(path.child("pattern"), pattern, "must be a valid regular expression, but isn't: error parsing regexp: invalid pattern"))
        }
        return errs
    }

    /// validateNestedValueValidation: what may not appear inside allOf/anyOf/oneOf/not.
    private static func nested(_ v: JSONSchemaProps?, skipAnyOf: Bool, _ level: Level, _ path: FieldPath) -> [FieldError] {
        guard let v else { return [] }
        var errs = valueValidation(v, skipAnyOf: skipAnyOf, skipFirstAllOfAnyOf: false, level, path)
        errs += nested(v.items, skipAnyOf: false, level, path.child("items"))
        for (k, p) in v.properties { errs += nested(p, skipAnyOf: false, .field, path.child("properties").key(k)) }
        if !v.type.isEmpty { errs.append(.forbidden(path.child("type"), "must be empty to be structural")) }
        if v.additionalProperties != nil {
            errs.append(.forbidden(path.child("additionalProperties"), "must be undefined to be structural"))
        }
        if v.defaultValue != nil { errs.append(.forbidden(path.child("default"), "must be undefined to be structural")) }
        if !v.title.isEmpty { errs.append(.forbidden(path.child("title"), "must be empty to be structural")) }
        if !v.description.isEmpty { errs.append(.forbidden(path.child("description"), "must be empty to be structural")) }
        if v.nullable { errs.append(.forbidden(path.child("nullable"), "must be false to be structural")) }
        if v.raw["externalDocs"].map({ !$0.isNull }) ?? false {
            errs.append(.forbidden(path.child("externalDocs"), "must be undefined to be structural"))
        }
        if v.xPreserveUnknownFields == true {
            errs.append(.forbidden(path.child("x-kubernetes-preserve-unknown-fields"), "must be false to be structural"))
        }
        if v.xEmbeddedResource { errs.append(.forbidden(path.child("x-kubernetes-embedded-resource"), "must be false to be structural")) }
        if v.xIntOrString { errs.append(.forbidden(path.child("x-kubernetes-int-or-string"), "must be false to be structural")) }
        if !v.xListMapKeys.isEmpty { errs.append(.forbidden(path.child("x-kubernetes-list-map-keys"), "must be empty to be structural")) }
        if v.xListType != nil { errs.append(.forbidden(path.child("x-kubernetes-list-type"), "must be undefined to be structural")) }
        if v.xMapType != nil { errs.append(.forbidden(path.child("x-kubernetes-map-type"), "must be undefined to be structural")) }
        if !v.xValidations.isEmpty { errs.append(.forbidden(path.child("x-kubernetes-validations"), "must be empty to be structural")) }
        if v.properties["metadata"] != nil {
            errs.append(.forbidden(path.child("properties").key("metadata"), "must not be specified in a nested context"))
        }
        return errs
    }

    /// validateStructuralCompleteness: a property or items named in a value validation must also be
    /// specified in the structural part at the same place.
    private static func completeness(_ v: JSONSchemaProps, _ s: JSONSchemaProps?, sPath: FieldPath, vPath: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        if let not = v.not { errs += nestedCompleteness(not, s, sPath: sPath, vPath: vPath.child("not")) }
        for (i, x) in v.allOf.enumerated() { errs += nestedCompleteness(x, s, sPath: sPath, vPath: vPath.child("allOf").index(i)) }
        for (i, x) in v.anyOf.enumerated() { errs += nestedCompleteness(x, s, sPath: sPath, vPath: vPath.child("anyOf").index(i)) }
        for (i, x) in v.oneOf.enumerated() { errs += nestedCompleteness(x, s, sPath: sPath, vPath: vPath.child("oneOf").index(i)) }
        return errs
    }

    private static func nestedCompleteness(_ v: JSONSchemaProps, _ s: JSONSchemaProps?, sPath: FieldPath, vPath: FieldPath) -> [FieldError] {
        guard let s else { return [.required(sPath, "because it is defined in \(vPath)")] }
        var errs = completeness(v, s, sPath: sPath, vPath: vPath)
        if let items = v.items {
            errs += nestedCompleteness(items, s.items, sPath: sPath.child("items"), vPath: vPath.child("items"))
        }
        for (k, field) in v.properties {
            if let sField = s.properties[k] {
                errs += nestedCompleteness(field, sField, sPath: sPath.child("properties").key(k), vPath: vPath.child("properties").key(k))
            } else {
                errs.append(.required(sPath.child("properties").key(k), "because it is defined in \(vPath.child("properties").key(k))"))
            }
        }
        return errs
    }
}
