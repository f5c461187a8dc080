/// The static checks apiextensions runs on every node of a CRD's `openAPIV3Schema`
/// (ValidateCustomResourceDefinitionOpenAPISchema and specStandardValidatorV3 in
/// k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation), with upstream's paths and messages.
///
/// Schema errors and CEL errors are kept apart as upstream does: a node's rules are compiled only when
/// no schema error was found at or below it, because a broken schema gives unhelpful CEL messages.
struct CustomResourceSchemaValidation {
    static let openAPIV3Types = ["array", "boolean", "integer", "number", "object", "string"]
    static let metaFields: Set<String> = ["metadata", "kind", "apiVersion"]
    static let supportedValidationReasons = ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"]

    /// The context specStandardValidatorV3 carries down the tree.
    struct Context {
        var allowDefaults = true
        var disallowDefaultsReason = ""
        var insideResourceMeta = false
        /// The highest path whose items or members cannot be matched to their old values.
        var uncorrelatablePath: FieldPath?
        /// False below allOf/anyOf/oneOf/not, where upstream builds no CEL context.
        var compileRules = true

        func forbiddingDefaults(_ reason: String) -> Context {
            var c = self
            c.allowDefaults = false
            c.disallowDefaultsReason = reason
            return c
        }

        func forbiddingOldSelf(_ path: FieldPath) -> Context {
            guard uncorrelatablePath == nil else { return self }
            var c = self
            c.uncorrelatablePath = path
            return c
        }
    }

    var schemaErrors: [FieldError] = []
    var celErrors: [FieldError] = []
    /// The compiled rules of every node, keyed by the node, for StructuralSchema to run.
    var compiled: [ObjectIdentifier: [CELRuleValidation.CompiledRule]] = [:]

    /// Validates `schema` and everything below it; `isRoot` for the resource's root schema.
    mutating func validate(_ schema: JSONSchemaProps?, _ path: FieldPath, _ context: Context, isRoot: Bool) {
        guard let schema else { return }
        let schemaErrorsBefore = schemaErrors.count
        validateStandard(schema, path, context)
        if schema.uniqueItems {
            schemaErrors.append(.forbidden(path.child("uniqueItems"), "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"))
        }
        if let additional = schema.additionalProperties {
            if !schema.properties.isEmpty {
                if case .allows(true) = additional {} else {
                    schemaErrors.append(.forbidden(path.child("additionalProperties"), "additionalProperties and properties are mutual exclusive"))
                }
            }
            var sub = context
            if context.insideResourceMeta {
                // Pruning without an actual value would be ambiguous inside object metadata.
                sub = sub.forbiddingDefaults("inside additionalProperties applying to object metadata")
            }
            validate(additional.schema, path.child("additionalProperties"), sub, isRoot: false)
        }
        for (name, property) in schema.properties {
            var sub = context
            if schema.xMapType == "atomic" { sub = sub.forbiddingOldSelf(path) }
            if (isRoot || schema.xEmbeddedResource) && Self.metaFields.contains(name) {
                sub.insideResourceMeta = true
                if isRoot { sub = sub.forbiddingDefaults("in top-level \(name)") }
            }
            validate(property, path.child("properties").key(name), sub, isRoot: false)
        }
        var nested = context
        nested.compileRules = false
        validate(schema.not, path.child("not"), nested, isRoot: false)
        for (i, s) in schema.allOf.enumerated() { validate(s, path.child("allOf").index(i), nested, isRoot: false) }
        for (i, s) in schema.oneOf.enumerated() { validate(s, path.child("oneOf").index(i), nested, isRoot: false) }
        for (i, s) in schema.anyOf.enumerated() { validate(s, path.child("anyOf").index(i), nested, isRoot: false) }
        if let items = schema.items {
            var sub = context
            // Only map lists correlate old and new items; sets and atomic lists cannot use oldSelf below.
            if schema.xListType != "map" { sub = sub.forbiddingOldSelf(path) }
            validate(items, schema.itemsIsArray ? path.child("items").index(0) : path.child("items"), sub, isRoot: false)
        }
        if schema.xPreserveUnknownFields == false {
            schemaErrors.append(.invalid(path.child("x-kubernetes-preserve-unknown-fields"), .bool(false), "must be true or undefined"))
        }
        validateMapAndListTypes(schema, path)
        validateRules(schema, path, context, isRoot: isRoot, schemaErrorsBefore: schemaErrorsBefore)
    }

    /// specStandardValidatorV3.validate: the JSON Schema features CRDs do not support.
    private mutating func validateStandard(_ schema: JSONSchemaProps, _ path: FieldPath, _ context: Context) {
        if !schema.type.isEmpty, !Self.openAPIV3Types.contains(schema.type), schema.type != "null" {
            schemaErrors.append(.notSupported(path.child("type"), .string(schema.type), Self.openAPIV3Types))
        }
        if schema.defaultValue != nil, !context.allowDefaults {
            let detail = context.disallowDefaultsReason.isEmpty ? "must not be set" : "must not be set \(context.disallowDefaultsReason)"
            schemaErrors.append(.forbidden(path.child("default"), detail))
        }
        if !schema.id.isEmpty { schemaErrors.append(.forbidden(path.child("id"), "id is not supported")) }
        if schema.hasAdditionalItems { schemaErrors.append(.forbidden(path.child("additionalItems"), "additionalItems is not supported")) }
        if schema.hasPatternProperties { schemaErrors.append(.forbidden(path.child("patternProperties"), "patternProperties is not supported")) }
        if schema.hasDefinitions { schemaErrors.append(.forbidden(path.child("definitions"), "definitions is not supported")) }
        if schema.hasDependencies { schemaErrors.append(.forbidden(path.child("dependencies"), "dependencies is not supported")) }
        if schema.ref != nil { schemaErrors.append(.forbidden(path.child("$ref"), "$ref is not supported")) }
        if schema.type == "null" {
            schemaErrors.append(.forbidden(path.child("type"), "type cannot be set to null, use nullable as an alternative"))
        }
        if schema.itemsIsArray {
            schemaErrors.append(.forbidden(path.child("items"), "items must be a schema object and not an array"))
        }
        if context.insideResourceMeta, schema.xEmbeddedResource {
            schemaErrors.append(.forbidden(path.child("x-kubernetes-embedded-resource"), "must not be used inside of resource meta"))
        }
    }
}
