import APIMachinery

/// ReplicaSets (pkg/registry/apps/replicaset/strategy.go, apps/v1 SetDefaults_ReplicaSet,
/// ValidateReplicaSet / ValidateReplicaSetUpdate).
public struct ReplicaSetStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.replicaSets }
    public var tracksGeneration: Bool { true }

    public func applyDefaults(_ object: inout JSON) {
        object.modifyPath("spec") { spec in
            spec.setDefault("replicas", 1)
            spec.modifyPath("template") { PodTemplateDefaults.apply(&$0) }
        }
    }

    /// A new ReplicaSet's status is the zero ReplicaSetStatus (`replicas` has no omitempty).
    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = ["replicas": 0]
    }

    public func validate(_ object: JSON) -> [FieldError] {
        Self.validateSpec(object["spec"] ?? [:], FieldPath("spec"))
    }

    /// As create, plus apps/v1's immutable selector.
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        Self.validateSpec(object["spec"] ?? [:], FieldPath("spec"))
            + FieldValidation.immutable(object[path: "spec", "selector"], old[path: "spec", "selector"], FieldPath("spec.selector"))
    }

    /// ValidateReplicaSetStatusUpdate: metadata (the store checks it) and the status; the spec is the
    /// stored one, validated when it was stored. ValidateReplicaSetStatus is the RC's check.
    public func validateStatusUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        WorkloadStatusValidation.replicationController(object["status"])
    }

    /// ValidateReplicaSetSpec.
    static func validateSpec(_ spec: JSON, _ path: FieldPath) -> [FieldError] {
        var errs = FieldValidation.nonnegative(spec["replicas"], path.child("replicas"))
        errs += FieldValidation.nonnegative(spec["minReadySeconds"], path.child("minReadySeconds"))
        errs += ReplicaSetTemplateValidation.validateSelector(spec["selector"], path.child("selector"))
        errs += ReplicaSetTemplateValidation.validateTemplate(spec["template"], selector: spec["selector"], path.child("template"))
        return errs
    }

    /// Upstream's ReplicaSetToSelectableFields adds status.replicas.
    public func selectableFields(_ object: JSON) -> [String: String] {
        var fields = Self.metadataFields(object)
        fields["status.replicas"] = String(object[path: "status", "replicas"]?.intValue ?? 0)
        return fields
    }
}
