import APIMachinery

/// PersistentVolumeClaims (pkg/registry/core/persistentvolumeclaim/strategy.go,
/// SetDefaults_PersistentVolumeClaim, ValidatePersistentVolumeClaim / ...Update).
public struct PersistentVolumeClaimStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.persistentVolumeClaims }

    public func applyDefaults(_ object: inout JSON) { PersistentVolumeClaimDefaults.apply(&object) }

    /// DefaultStorageClass and StorageObjectInUseProtection admission.
    public func admit(_ object: inout JSON, cluster: ClusterLookup) throws(APIError) {
        PersistentVolumeClaimAdmission.admitClaim(&object, cluster: cluster)
    }

    /// Upstream clears the status; decoding defaults it back to `phase: Pending` on every read.
    public func prepareForCreate(_ object: inout JSON) { object["status"] = ["phase": "Pending"] }

    public func validate(_ object: JSON) -> [FieldError] {
        PersistentVolumeClaimValidation.validateSpec(object["spec"] ?? [:], FieldPath("spec"))
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        validate(object) + PersistentVolumeClaimValidation.validateUpdate(object, old: old)
    }
}
