import APIMachinery
import Foundation

/// `kubectl get persistentvolumes` columns, as upstream's printPersistentVolume.
public enum PersistentVolumeTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Capacity", description: "The volume's capacity."),
        TableColumn(name: "Access Modes", description: "The ways the volume can be mounted."),
        TableColumn(name: "Reclaim Policy", description: "What happens to the volume when it is released from its claim."),
        TableColumn(name: "Status", description: "The current phase of the volume."),
        TableColumn(name: "Claim", description: "The claim bound to this volume, as namespace/name."),
        TableColumn(name: "StorageClass", description: "StorageClass of the pv"),
        TableColumn(name: "VolumeAttributesClass", description: "VolumeAttributesClass of the pv"),
        TableColumn(name: "Reason", description: "A brief reason for a failed volume."),
        .age,
        TableColumn(name: "VolumeMode", description: "Whether the volume is a filesystem or a raw block device.", priority: 1),
    ]

    public static func cells(_ volume: JSON, now: Date) -> [JSON] {
        let spec = volume["spec"] ?? .null
        var claim = ""
        if let ref = spec["claimRef"], !ref.isNull {
            claim = PrinterFormat.string(ref["namespace"]) + "/" + PrinterFormat.string(ref["name"])
        }
        let phase = PrinterFormat.isDeleting(volume) ? "Terminating" : PrinterFormat.string(volume[path: "status", "phase"])
        return [
            PrinterFormat.name(volume),
            .string(PrinterFormat.quantity(spec["capacity"], "storage")),
            .string(PrinterFormat.accessModes(spec["accessModes"])),
            .string(PrinterFormat.string(spec["persistentVolumeReclaimPolicy"])),
            .string(phase),
            .string(claim),
            .string(PersistentVolumeClaimTable.storageClass(volume)),
            .string(spec["volumeAttributesClassName"]?.stringValue ?? "<unset>"),
            .string(PrinterFormat.string(volume[path: "status", "reason"])),
            PrinterFormat.age(volume, now: now),
            .string(spec["volumeMode"]?.stringValue ?? "<unset>"),
        ]
    }
}
