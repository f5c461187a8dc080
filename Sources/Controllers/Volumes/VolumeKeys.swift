import APIMachinery
import Registry

/// Annotation, finalizer and event names the volume controllers share with upstream
/// (pkg/controller/volume/persistentvolume/util, sig-storage-lib-external-provisioner).
enum VolumeKeys {
    static let bindCompleted = "pv.kubernetes.io/bind-completed"
    static let boundByController = "pv.kubernetes.io/bound-by-controller"
    static let provisionedBy = "pv.kubernetes.io/provisioned-by"
    static let storageProvisioner = "volume.kubernetes.io/storage-provisioner"
    static let betaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner"
    static let selectedNode = "volume.kubernetes.io/selected-node"
    static let claimProtection = PersistentVolumeClaimAdmission.claimProtectionFinalizer
    static let volumeProtection = PersistentVolumeClaimAdmission.volumeProtectionFinalizer

    static let claims = GroupResource(group: "", resource: "persistentvolumeclaims")
    static let volumes = GroupResource(group: "", resource: "persistentvolumes")
    static let classes = GroupResource(group: "storage.k8s.io", resource: "storageclasses")
    static let pods = GroupResource(group: "", resource: "pods")
}
