import APIMachinery
import Foundation

/// PersistentVolumes (pkg/registry/core/persistentvolume/strategy.go, SetDefaults_PersistentVolume,
/// ValidatePersistentVolume / ...Update).
public struct PersistentVolumeStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.persistentVolumes }

    static let sourceTypes = [
        "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs", "rbd", "quobyte",
        "cinder", "cephfs", "iscsi", "fc", "flexVolume", "azureFile", "vsphereVolume", "photonPersistentDisk",
        "portworxVolume", "azureDisk", "scaleIO", "local", "storageos", "csi",
    ]
    static let reclaimPolicies = ["Delete", "Recycle", "Retain"]

    public func applyDefaults(_ object: inout JSON) {
        object.modifyPath("spec") { spec in
            spec.setDefaultString("persistentVolumeReclaimPolicy", "Retain")
            spec.setDefault("volumeMode", "Filesystem")
            if let capacity = spec["capacity"] { spec["capacity"] = ResourceListDefaults.canonical(capacity) }
            VolumeDefaults.applySources(&spec)
        }
        object.modifyPath("status") { $0.setDefaultString("phase", "Pending") }
    }

    /// StorageObjectInUseProtection admission.
    public func admit(_ object: inout JSON, cluster: ClusterLookup) throws(APIError) {
        PersistentVolumeClaimAdmission.admitVolume(&object)
    }

    /// New volumes are Pending since now (PersistentVolumeLastPhaseTransitionTime is GA in 1.31).
    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = ["phase": "Pending", "lastPhaseTransitionTime": .string(Timestamp.format(Date()))]
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        let path = FieldPath("spec")
        var errs = PersistentVolumeClaimValidation.validateAccessModes(spec.array("accessModes"), path.child("accessModes"), requiredDetail: "")
        let capacity = spec["capacity"]?.objectValue ?? [:]
        if capacity.isEmpty { errs.append(.required(path.child("capacity"), "")) }
        if capacity["storage"] == nil || capacity.count > 1 {
            errs.append(FieldError(.notSupported, path.child("capacity"), value: goResourceList(capacity), "supported values: \"storage\""))
        }
        for (name, value) in capacity {
            let p = path.child("capacity").key(name)
            if let q = FieldValidation.quantity(value, p, errors: &errs), q.isZero || q.isNegative {
                errs.append(.invalid(p, q.canonical, PersistentVolumeClaimValidation.isNotPositiveErrorMsg))
            }
        }
        let className = spec.string("storageClassName")
        if !className.isEmpty {
            errs += NameValidation.isDNS1123Subdomain(className).map { .invalid(path.child("storageClassName"), className, $0) }
        }
        if let mode = spec["volumeMode"], mode != .null, !PersistentVolumeClaimValidation.volumeModes.contains(mode.stringValue ?? "") {
            errs.append(.notSupported(path.child("volumeMode"), mode, PersistentVolumeClaimValidation.volumeModes))
        }
        let policy = spec.string("persistentVolumeReclaimPolicy")
        if !policy.isEmpty, !Self.reclaimPolicies.contains(policy) {
            errs.append(.notSupported(path.child("persistentVolumeReclaimPolicy"), .string(policy), Self.reclaimPolicies))
        }
        errs += VolumeValidation.validateSources(spec, path, types: Self.sourceTypes)
        if let hostPath = spec[path: "hostPath", "path"]?.stringValue, hostPath.split(separator: "/").isEmpty, policy == "Recycle" {
            errs.append(.forbidden(path.child("persistentVolumeReclaimPolicy"), "may not be 'recycle' for a hostPath mount of '/'"))
        }
        return errs
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        var errs = validate(object)
        let new = object["spec"] ?? [:]
        let before = old["spec"] ?? [:]
        let changed = Self.sourceTypes.contains { FieldValidation.normalized(new[$0]) != FieldValidation.normalized(before[$0]) }
        if changed {
            errs.append(.forbidden(FieldPath("spec.persistentvolumesource"), "spec.persistentvolumesource is immutable after creation"))
        }
        errs += FieldValidation.immutable(new["volumeMode"], before["volumeMode"], FieldPath("volumeMode"))
        return errs
    }

    /// Go's %#v of a core.ResourceList as upstream prints it for an unsupported capacity.
    func goResourceList(_ list: JSONObject) -> String {
        let items = list.keys.sorted().map { "\"\($0)\":\(list[$0].map { FieldError.render($0) } ?? "")" }
        return "core.ResourceList{" + items.joined(separator: ", ") + "}"
    }
}
