/// Annotation, finalizer and event names the volume controllers share with upstream
/// (pkg/controller/volume/persistentvolume/util, sig-storage-lib-external-provisioner), and the
/// admission plugins that set them.
public enum VolumeKeys {
    public static let bindCompleted = "pv.kubernetes.io/bind-completed"
    public static let boundByController = "pv.kubernetes.io/bound-by-controller"
    public static let provisionedBy = "pv.kubernetes.io/provisioned-by"
    public static let storageProvisioner = "volume.kubernetes.io/storage-provisioner"
    public static let betaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner"
    public static let selectedNode = "volume.kubernetes.io/selected-node"
    public static let claimProtection = "kubernetes.io/pvc-protection"
    public static let volumeProtection = "kubernetes.io/pv-protection"
    /// The beta class annotation, which wins over `spec.storageClassName` where both are set.
    public static let betaStorageClass = "volume.beta.kubernetes.io/storage-class"

    public static let claims = GroupResource(group: "", resource: "persistentvolumeclaims")
    public static let volumes = GroupResource(group: "", resource: "persistentvolumes")
    public static let classes = GroupResource(group: "storage.k8s.io", resource: "storageclasses")
    public static let pods = GroupResource(group: "", resource: "pods")
}
