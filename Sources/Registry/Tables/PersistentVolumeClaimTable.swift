import APIMachinery
import Foundation

/// `kubectl get persistentvolumeclaims` columns, as upstream's printPersistentVolumeClaim.
public enum PersistentVolumeClaimTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Status", description: "The current phase of the claim."),
        TableColumn(name: "Volume", description: "The name of the PersistentVolume bound to this claim."),
        TableColumn(name: "Capacity", description: "The actual resources of the underlying volume."),
        TableColumn(name: "Access Modes", description: "The access modes the volume backing the claim has."),
        TableColumn(name: "StorageClass", description: "StorageClass of the pvc"),
        TableColumn(name: "VolumeAttributesClass", description: "VolumeAttributesClass of the pvc"),
        .age,
        TableColumn(name: "VolumeMode", description: "Whether the volume is a filesystem or a raw block device.", priority: 1),
    ]

    /// The beta annotation that predates spec.storageClassName and still wins over it.
    static let betaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class"

    /// CAPACITY and ACCESS MODES come from the status, and only once the claim names a volume.
    public static func cells(_ claim: JSON, now: Date) -> [JSON] {
        let spec = claim["spec"] ?? .null
        let phase = PrinterFormat.isDeleting(claim) ? "Terminating" : PrinterFormat.string(claim[path: "status", "phase"])
        let volumeName = PrinterFormat.string(spec["volumeName"])
        var capacity = ""
        var accessModes = ""
        if !volumeName.isEmpty {
            accessModes = PrinterFormat.accessModes(claim[path: "status", "accessModes"])
            capacity = PrinterFormat.quantity(claim[path: "status", "capacity"], "storage")
        }
        return [
            PrinterFormat.name(claim), .string(phase), .string(volumeName), .string(capacity), .string(accessModes),
            .string(storageClass(claim)),
            .string(spec["volumeAttributesClassName"]?.stringValue ?? "<unset>"),
            PrinterFormat.age(claim, now: now),
            .string(spec["volumeMode"]?.stringValue ?? "<unset>"),
        ]
    }

    /// helper.GetPersistentVolumeClaimClass: the beta annotation, else spec.storageClassName, else "".
    static func storageClass(_ object: JSON) -> String {
        if let annotated = object[path: "metadata", "annotations", betaStorageClassAnnotation]?.stringValue { return annotated }
        return PrinterFormat.string(object[path: "spec", "storageClassName"])
    }
}
