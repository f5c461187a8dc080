/// The structural schema of one version of a CustomResourceDefinition: what the custom resource
/// handler of kube-apiserver (k8s.io/apiextensions-apiserver) builds from `openAPIV3Schema` and uses on
/// every write of a custom object. Pure: no HTTP, no storage.
///
/// Building one runs upstream's CRD schema validation (ValidateCustomResourceDefinitionOpenAPISchema,
/// ValidateStructural, ValidateDefaults and compilation of `x-kubernetes-validations`), so a schema
/// that builds is one kube-apiserver would accept. Errors carry upstream's paths and messages under the
/// path the caller passes, e.g. `spec.versions[0].schema.openAPIV3Schema`.
///
/// The write path of a custom object, in upstream's order:
///
///     let schema = try StructuralSchema(openAPIV3Schema: crdVersionSchema,
///                                       path: "spec.versions[0].schema.openAPIV3Schema")
///     let (pruned, unknown) = schema.prune(body)       // strict field validation: unknown field "spec.foo"
///     let object = schema.applyDefaults(pruned)
///     let errors = schema.validate(object, old: existing) // 422 causes; root metadata is the store's job
public struct StructuralSchema: Sendable {
    /// The parsed schema tree.
    public let root: JSONSchemaProps
    let rules: CELRuleValidation

    /// Parses and validates a CRD version's `openAPIV3Schema`; throws every error upstream would report.
    public init(openAPIV3Schema: JSON, path: FieldPath = "spec.validation.openAPIV3Schema") throws(CustomResourceSchemaError) {
        let (root, errors, compiled) = Self.analyze(openAPIV3Schema, path: path)
        guard let root, errors.isEmpty else { throw CustomResourceSchemaError(errors: errors) }
        self.root = root
        self.rules = CELRuleValidation(programs: compiled)
    }

    /// The errors CRD validation reports for `openAPIV3Schema` (empty when it is acceptable).
    public static func validate(openAPIV3Schema: JSON, path: FieldPath) -> [FieldError] {
        analyze(openAPIV3Schema, path: path).errors
    }

    private static func analyze(_ json: JSON, path: FieldPath)
        -> (root: JSONSchemaProps?, errors: [FieldError], compiled: [ObjectIdentifier: [CELRuleValidation.CompiledRule]]) {
        var decodeErrors: [FieldError] = []
        let root = JSONSchemaProps(parsing: json, path: path, errors: &decodeErrors)
        guard decodeErrors.isEmpty else { return (nil, decodeErrors, [:]) }
        var errors = StructuralSchemaInvariants.validate(root, path: path)
        var structuralOK = errors.isEmpty
        if structuralOK {
            errors += DefaultValidation(root: root).validate(root, path: path, isResourceRoot: true)
            structuralOK = errors.isEmpty
        }
        var checks = CustomResourceSchemaValidation()
        var context = CustomResourceSchemaValidation.Context()
        // Rules are compiled only against a valid structural schema (upstream's nil CEL context).
        context.compileRules = structuralOK
        checks.validate(root, path, context, isRoot: true)
        errors += checks.schemaErrors + checks.celErrors
        return (root, errors, checks.compiled)
    }

    /// Validates a custom object (after pruning and defaulting) as the custom resource strategy does:
    /// OpenAPI value validation, embedded resources' metadata, list sets and maps, then the CEL rules
    /// (with `oldSelf` from `old` on an update). On an update, values equal to their correlated old
    /// values are ratcheted as with CRDValidationRatcheting: their schema and rule errors are not
    /// reported. Root metadata is left to generic ObjectMeta validation.
    public func validate(_ object: JSON, old: JSON? = nil) -> [FieldError] {
        var errs = SchemaValueValidator(base: nil).validate(object, root, name: "", old: old)
        errs += EmbeddedResourceValidation.validate(object, root, path: FieldPath(""))
            .map { Self.rootRelative($0) }
        errs += ListTypeValidation.validate(object, root, path: FieldPath("")).map { Self.rootRelative($0) }
        guard !rules.programs.isEmpty else { return errs }
        // Rules are not run over values of the wrong type; upstream says so instead.
        if errs.contains(where: { $0.kind == .notSupported || $0.kind == .typeInvalid }) {
            errs.append(FieldError(.invalid, FieldPath("<nil>"), value: FieldError.quote("null"),
                                   "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"))
            return errs
        }
        errs += rules.validate(object, old: old, root, path: nil)
        return errs
    }

    /// Fills in `default` values (upstream structural defaulting).
    public func applyDefaults(_ object: JSON) -> JSON { StructuralDefaulting.apply(object, root) }

    /// Drops members the schema does not specify; `unknownFields` lists each as `spec.foo`.
    public func prune(_ object: JSON) -> (pruned: JSON, unknownFields: [String]) {
        var pruning = StructuralPruning()
        let pruned = pruning.pruneResource(object, root)
        return (pruned, pruning.pruned)
    }

    /// Paths built from an empty root start with a dot; upstream's nil root path has none.
    private static func rootRelative(_ e: FieldError) -> FieldError {
        var e = e
        if e.field.hasPrefix(".") { e.field.removeFirst() }
        return e
    }
}
