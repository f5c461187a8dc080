/// Upstream's structuraldefaulting.ValidateDefaults: every `default` must already be pruned, must pass
/// the value validation of its own node, its embedded-resource metadata rules and list-type rules.
/// Errors are reported under `<node>.default`.
struct DefaultValidation {
    let root: JSONSchemaProps

    func validate(_ s: JSONSchemaProps, path: FieldPath, isResourceRoot: Bool, insideMeta: Bool = false) -> [FieldError] {
        var errs: [FieldError] = []
        if let d = s.defaultValue, !insideMeta {
            let defaultPath = path.child("default")
            var pruning = StructuralPruning()
            let pruned = pruning.prune(d, s, path: "", isResourceRoot: s.xEmbeddedResource)
            if pruned != d {
                errs.append(FieldError(.invalid, defaultPath, value: GoValueFormat.invalidValue(d), "must not have unknown fields"))
            } else {
                let valueErrors = SchemaValueValidator(base: defaultPath).validate(d, s, name: "")
                if !valueErrors.isEmpty {
                    errs += valueErrors
                } else {
                    let metaErrors = EmbeddedResourceValidation.validate(d, s, path: defaultPath)
                    errs += metaErrors.isEmpty ? ListTypeValidation.validate(d, s, path: defaultPath) : metaErrors
                }
            }
        }
        for (name, property) in s.properties {
            let meta = (isResourceRoot || s.xEmbeddedResource) && name == "metadata"
            errs += validate(property, path: path.child("properties").key(name), isResourceRoot: false, insideMeta: insideMeta || meta)
        }
        if let items = s.items {
            errs += validate(items, path: path.child("items"), isResourceRoot: false, insideMeta: insideMeta)
        }
        if let additional = s.additionalProperties?.schema {
            errs += validate(additional, path: path.child("additionalProperties"), isResourceRoot: false, insideMeta: insideMeta)
        }
        return errs
    }
}
