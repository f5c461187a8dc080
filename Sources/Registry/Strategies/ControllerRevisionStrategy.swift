import APIMachinery

/// ControllerRevisions (pkg/registry/apps/controllerrevision/strategy.go, ValidateControllerRevision).
public struct ControllerRevisionStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.controllerRevisions }

    /// `revision` has no omitempty in Go, so it always reads back.
    public func applyDefaults(_ object: inout JSON) { object.setDefault("revision", 0) }

    public func validate(_ object: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        if object["data"] == nil || object["data"] == .null {
            errs.append(.required(FieldPath("data"), "data is mandatory"))
        }
        errs += FieldValidation.nonnegative(object["revision"], FieldPath("revision"))
        return errs
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        var errs = validate(object)
        if FieldValidation.normalized(object["data"]) != FieldValidation.normalized(old["data"]) {
            errs.append(FieldError(.invalid, FieldPath("data"), value: "runtime.RawExtension{...}", FieldValidation.fieldImmutableErrorMsg))
        }
        return errs
    }
}
