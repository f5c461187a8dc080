import APIMachinery

/// core/v1 ReplicationControllers (pkg/registry/core/replicationcontroller/strategy.go,
/// SetDefaults_ReplicationController, ValidateReplicationController): the ReplicaSet's older twin
/// with an equality-only selector (a plain map) defaulted from the template's labels.
public struct ReplicationControllerStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.replicationControllers }
    public var tracksGeneration: Bool { true }

    /// The template's labels become the selector and the object's labels when those are empty;
    /// replicas default to 1.
    public func applyDefaults(_ object: inout JSON) {
        if let labels = object[path: "spec", "template", "metadata", "labels"], let map = labels.objectValue {
            if (object[path: "spec", "selector"]?.objectValue ?? [:]).isEmpty {
                object.modifyPath("spec") { $0["selector"] = .object(map) }
            }
            if (object[path: "metadata", "labels"]?.objectValue ?? [:]).isEmpty {
                object.modifyPath("metadata") { $0["labels"] = .object(map) }
            }
        }
        object.modifyPath("spec") { spec in
            spec.setDefault("replicas", 1)
            if let template = spec["template"], template != .null { spec.modifyPath("template") { PodTemplateDefaults.apply(&$0) } }
        }
    }

    /// A new controller's status is the zero ReplicationControllerStatus (`replicas` has no omitempty).
    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = ["replicas": 0]
    }

    public func validate(_ object: JSON) -> [FieldError] {
        Self.validateSpec(object["spec"] ?? [:], FieldPath("spec"))
    }

    /// The status subresource's update passes here too (ValidateReplicationControllerStatusUpdate).
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        validate(object) + WorkloadStatusValidation.replicationController(object["status"])
    }

    /// ValidateReplicationControllerSpec; unlike apps/v1 the selector may change.
    static func validateSpec(_ spec: JSON, _ path: FieldPath) -> [FieldError] {
        var errs = FieldValidation.nonnegative(spec["minReadySeconds"], path.child("minReadySeconds"))
        let selector = spec["selector"]?.objectValue ?? [:]
        if selector.isEmpty { errs.append(.required(path.child("selector"))) }
        errs += FieldValidation.nonnegative(spec["replicas"], path.child("replicas"))
        let parsed = selector.isEmpty ? LabelSelector(json: nil) : LabelSelector(set: spec["selector"])
        errs += ReplicaSetTemplateValidation.validateTemplate(spec["template"], selector: parsed, path.child("template")) { deadlinePath, _ in
            .forbidden(deadlinePath, "activeDeadlineSeconds in ReplicationController is not Supported")
        }
        return errs
    }

    /// Upstream's rcStrategy keeps orphaning as its default (what v1 did before server-side garbage
    /// collection); kubectl asks for Background itself.
    public var defaultDeletePropagation: (policy: DeleteOptions.Propagation, warning: String?)? { (.orphan, nil) }

    /// Upstream's ControllerToSelectableFields adds status.replicas.
    public func selectableFields(_ object: JSON) -> [String: String] {
        var fields = Self.metadataFields(object)
        fields["status.replicas"] = String(object[path: "status", "replicas"]?.intValue ?? 0)
        return fields
    }
}
