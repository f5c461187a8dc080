/// Upstream's objectmeta.Validate for custom objects: every `x-kubernetes-embedded-resource` value must
/// name its apiVersion and kind, and its metadata obeys the ObjectMeta rules (labels, annotations,
/// finalizers, owner references). The custom object's own root metadata is validated by the generic
/// store, as for every kind, so the root is not treated as embedded here.
enum EmbeddedResourceValidation {
    static func validate(_ value: JSON, _ s: JSONSchemaProps?, path: FieldPath) -> [FieldError] {
        guard let s else { return [] }
        var errs: [FieldError] = []
        switch value {
        case .object(let members):
            if s.xEmbeddedResource { errs += validateEmbedded(members, path: path) }
            for (k, v) in members {
                if let p = s.properties[k] {
                    errs += validate(v, p, path: path.child(k))
                } else if let additional = s.additionalProperties?.schema {
                    errs += validate(v, additional, path: path.key(k))
                }
            }
        case .array(let items):
            for (i, item) in items.enumerated() { errs += validate(item, s.items, path: path.index(i)) }
        default: break
        }
        return errs
    }

    private static func validateEmbedded(_ x: JSONObject, path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        if x["apiVersion"] == nil { errs.append(.required(path.child("apiVersion"))) }
        if x["kind"] == nil { errs.append(.required(path.child("kind"))) }
        if let v = x["apiVersion"] {
            if let apiVersion = v.stringValue {
                if apiVersion.isEmpty {
                    errs.append(.invalid(path.child("apiVersion"), apiVersion, "must not be empty"))
                } else if apiVersion.split(separator: "/", omittingEmptySubsequences: false).count > 2 {
                    errs.append(.invalid(path.child("apiVersion"), apiVersion, "unexpected GroupVersion string: \(apiVersion)"))
                }
            } else {
                errs.append(.invalid(path.child("apiVersion"), v, "must be a string"))
            }
        }
        if let v = x["kind"] {
            if let kind = v.stringValue {
                if kind.isEmpty {
                    errs.append(.invalid(path.child("kind"), kind, "must not be empty"))
                } else {
                    let problems = NameValidation.isDNS1035Label(kind.lowercased())
                    if !problems.isEmpty {
                        errs.append(.invalid(path.child("kind"), kind, "may have mixed case, but should otherwise match: " + problems.joined(separator: ",")))
                    }
                }
            } else {
                errs.append(.invalid(path.child("kind"), v, "must be a string"))
            }
        }
        if let meta = x["metadata"], !meta.isNull {
            let metaPath = path.child("metadata")
            guard case .object(var members) = meta else {
                return errs + [.invalid(metaPath, meta, "must be of type object")]
            }
            // Upstream validates embedded metadata as any ObjectMeta, with a stand-in name when none is
            // given (an embedded object need not be named) and a namespace only if one is set.
            if (members["name"]?.stringValue ?? "").isEmpty { members["name"] = "fakename" }
            let namespaced = !(members["namespace"]?.stringValue ?? "").isEmpty
            errs += ObjectMetaValidation.validate(.object(members), namespaced: namespaced,
                                                  nameValidator: { NameValidation.validatePathSegmentName($0, prefix: $1) },
                                                  path: metaPath, kubeFinalizers: false)
        }
        return errs
    }
}
