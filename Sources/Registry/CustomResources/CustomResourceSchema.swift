import APIMachinery

/// The seam between serving custom resources and the structural schema library (branch
/// `crd-schema`, Sources/APIMachinery/CustomResources/): one version's `openAPIV3Schema`, compiled
/// once when the CRD is installed, applied at upstream's points in the order upstream applies them:
/// decode → `prune` → `applyDefaults` → (prepare) → `validate`.
///
/// Kubelite does not validate schemas here: `PassThroughCustomResourceSchema` stands in until the
/// library is merged (see `CustomResourceSchemaCompiler.current`).
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

extension CustomResourceSchemaCompiler where Self == PassThroughCustomResourceSchemaCompiler {
    /// TO BE REPLACED AT MERGE with the `crd-schema` library's compiler.
    public static var current: PassThroughCustomResourceSchemaCompiler { PassThroughCustomResourceSchemaCompiler() }
}

/// TO BE REPLACED AT MERGE: keeps every field, applies no default, reports no error. It lets the
/// serving half (discovery, verbs, subresources, tables) work and be tested before the schema
/// library lands.
public struct PassThroughCustomResourceSchemaCompiler: CustomResourceSchemaCompiler {
    public init() {}
    /// Only that every version has a schema, as apiextensions.k8s.io/v1 requires.
    public func validateSchemas(ofCRDSpec spec: JSON) -> [FieldError] {
        (spec["versions"]?.arrayValue ?? []).enumerated().compactMap { i, version in
            guard version[path: "schema", "openAPIV3Schema"] == nil else { return nil }
            return .required(FieldPath("spec.versions").index(i).child("schema").child("openAPIV3Schema"), "schemas are required")
        }
    }
    public func compile(_ schema: JSON?) -> any CustomResourceSchema { PassThroughCustomResourceSchema() }
}

/// TO BE REPLACED AT MERGE (see `PassThroughCustomResourceSchemaCompiler`).
public struct PassThroughCustomResourceSchema: CustomResourceSchema {
    public init() {}
    public func prune(_ object: inout JSON) -> [String] { [] }
    public func applyDefaults(_ object: inout JSON) {}
    public func validate(_ object: JSON, old: JSON?) -> [FieldError] { [] }
    public func publishedSchema(group: String, version: String, kind: String) -> JSON? { nil }
}
