import APIMachinery

/// The seam between serving custom resources and the structural schema library
/// (Sources/APIMachinery/CustomResources/): one version's `openAPIV3Schema`, compiled
/// once when the CRD is installed, applied at upstream's points in the order upstream applies them:
/// decode → `prune` → `applyDefaults` → (prepare) → `validate`.
///
/// `StructuralCustomResourceSchemaCompiler` is the implementation; tests may hand the Registry another.
public protocol CustomResourceSchema: Sendable {
    /// Drops the fields the schema does not know (upstream's structural pruning, skipping
    /// `x-kubernetes-preserve-unknown-fields` subtrees, `apiVersion`, `kind` and `metadata`);
    /// returns the pruned paths (`spec.foo`), which strict field validation reports as
    /// `unknown field "spec.foo"`.
    func prune(_ object: inout JSON) -> [String]

    /// Applies the schema's `default`s (upstream's structural defaulting), after pruning.
    func applyDefaults(_ object: inout JSON)

    /// Validates a custom object against the schema (types, formats, enum, bounds, required,
    /// list types, `x-kubernetes-validations`); `old` is the stored object on update, for
    /// transition rules. Metadata is validated by the store.
    func validate(_ object: JSON, old: JSON?) -> [FieldError]

    /// The kind's schema as `/openapi/v3` publishes it (TypeMeta, the ObjectMeta reference and
    /// `x-kubernetes-group-version-kind` added), or nil to let the API server build it from the raw
    /// `openAPIV3Schema`.
    func publishedSchema(group: String, version: String, kind: String) -> JSON?
}

/// Compiles a CRD version's schema for serving, and checks the schemas when a CRD is written.
public protocol CustomResourceSchemaCompiler: Sendable {
    /// The errors upstream's CRD validation reports for the schemas of every version of a CRD
    /// `spec` (`schemas are required`, the status subresource's root restriction, structural rules,
    /// unsupported CEL rules), under `spec.versions[i].schema.openAPIV3Schema`.
    func validateSchemas(ofCRDSpec spec: JSON) -> [FieldError]

    /// The compiled schema of one served version; `schema` is nil when the version has none.
    func compile(_ schema: JSON?) -> any CustomResourceSchema
}

extension CustomResourceSchemaCompiler where Self == StructuralCustomResourceSchemaCompiler {
    /// The structural schema library's compiler (APIMachinery/CustomResources).
    public static var current: StructuralCustomResourceSchemaCompiler { StructuralCustomResourceSchemaCompiler() }
}

/// Upstream's structural schema handling through `StructuralSchema`: CRD writes are checked with
/// its CRD validation (structural rules, the status root restriction, CEL rules compiled), and each
/// served version's schema prunes, defaults and validates its objects.
public struct StructuralCustomResourceSchemaCompiler: CustomResourceSchemaCompiler {
    public init() {}

    public func validateSchemas(ofCRDSpec spec: JSON) -> [FieldError] {
        StructuralSchema.versions(ofCRDSpec: spec).errors
    }

    /// A schema that does not compile (stored before a check existed) serves its objects
    /// unchecked, as upstream serves a non-structural legacy schema without pruning.
    public func compile(_ schema: JSON?) -> any CustomResourceSchema {
        guard let schema, let structural = try? StructuralSchema(openAPIV3Schema: schema) else { return PassThroughCustomResourceSchema() }
        return CompiledCustomResourceSchema(schema: structural)
    }
}

/// One version's compiled structural schema.
struct CompiledCustomResourceSchema: CustomResourceSchema {
    let schema: StructuralSchema

    func prune(_ object: inout JSON) -> [String] {
        let (pruned, unknown) = schema.prune(object)
        object = pruned
        return unknown
    }

    func applyDefaults(_ object: inout JSON) { object = schema.applyDefaults(object) }

    func validate(_ object: JSON, old: JSON?) -> [FieldError] { schema.validate(object, old: old) }

    func publishedSchema(group: String, version: String, kind: String) -> JSON? {
        schema.openAPIV3Schema(group: group, version: version, kind: kind)
    }
}

/// A schema that keeps every field, applies no default and reports no error: a version without a
/// usable schema.
public struct PassThroughCustomResourceSchema: CustomResourceSchema {
    public init() {}
    public func prune(_ object: inout JSON) -> [String] { [] }
    public func applyDefaults(_ object: inout JSON) {}
    public func validate(_ object: JSON, old: JSON?) -> [FieldError] { [] }
    public func publishedSchema(group: String, version: String, kind: String) -> JSON? { nil }
}
