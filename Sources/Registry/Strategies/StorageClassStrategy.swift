import APIMachinery

/// StorageClasses (pkg/registry/storage/storageclass/strategy.go, storage/v1 SetDefaults_StorageClass,
/// ValidateStorageClass / ...Update).
public struct StorageClassStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.storageClasses }
    static let reclaimPolicies = ["Delete", "Retain"]
    static let bindingModes = ["Immediate", "WaitForFirstConsumer"]

    public func applyDefaults(_ object: inout JSON) {
        object.setDefault("reclaimPolicy", "Delete")
        object.setDefault("volumeBindingMode", "Immediate")
    }

    public func validate(_ object: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        let provisioner = object.string("provisioner")
        if provisioner.isEmpty {
            errs.append(.required(FieldPath("provisioner"), provisioner))
        } else {
            errs += FieldValidation.qualifiedName(provisioner.lowercased(), FieldPath("provisioner"))
        }
        let parameters = object["parameters"]?.objectValue ?? [:]
        if parameters.count > 512 {
            errs.append(FieldError(.tooLong, FieldPath("parameters"), "may not be more than 512 bytes"))
        }
        var total = 0
        for (key, value) in parameters {
            if key.isEmpty { errs.append(.invalid(FieldPath("parameters"), key, "field can not be empty.")) }
            total += key.utf8.count + (value.stringValue?.utf8.count ?? 0)
        }
        if total > 256 * 1024 { errs.append(.tooLong(FieldPath("parameters"), 256 * 1024)) }
        if let policy = object["reclaimPolicy"], let p = policy.stringValue, !p.isEmpty, !Self.reclaimPolicies.contains(p) {
            errs.append(.notSupported(FieldPath("reclaimPolicy"), policy, Self.reclaimPolicies))
        }
        if let mode = object["volumeBindingMode"], mode != .null {
            if !Self.bindingModes.contains(mode.stringValue ?? "") {
                errs.append(.notSupported(FieldPath("volumeBindingMode"), mode, Self.bindingModes))
            }
        } else {
            errs.append(.required(FieldPath("volumeBindingMode"), ""))
        }
        return errs
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        var errs = validate(object)
        if FieldValidation.normalized(object["parameters"]) != FieldValidation.normalized(old["parameters"]) {
            errs.append(.forbidden(FieldPath("parameters"), "updates to parameters are forbidden."))
        }
        if object.string("provisioner") != old.string("provisioner") {
            errs.append(.forbidden(FieldPath("provisioner"), "updates to provisioner are forbidden."))
        }
        if object.string("reclaimPolicy") != old.string("reclaimPolicy") {
            errs.append(.forbidden(FieldPath("reclaimPolicy"), "updates to reclaimPolicy are forbidden."))
        }
        errs += FieldValidation.immutable(object["volumeBindingMode"], old["volumeBindingMode"], FieldPath("volumeBindingMode"))
        return errs
    }
}
