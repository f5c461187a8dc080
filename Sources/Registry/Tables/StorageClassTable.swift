import APIMachinery
import Foundation

/// `kubectl get storageclasses` columns, as upstream's printStorageClass.
public enum StorageClassTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Provisioner", description: "The volume plugin that provisions volumes of this class."),
        TableColumn(name: "ReclaimPolicy", description: "The reclaim policy of volumes this class provisions."),
        TableColumn(name: "VolumeBindingMode", description: "When volumes are provisioned and bound."),
        TableColumn(name: "AllowVolumeExpansion", description: "Whether claims of this class may be expanded."),
        .age,
    ]

    static let defaultClassAnnotation = "storageclass.kubernetes.io/is-default-class"
    static let betaDefaultClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class"

    /// The server printer marks the default class by appending ` (default)` to the NAME cell.
    public static func cells(_ storageClass: JSON, now: Date) -> [JSON] {
        var name = PrinterFormat.string(storageClass[path: "metadata", "name"])
        if isDefault(storageClass) { name += " (default)" }
        return [
            .string(name),
            .string(PrinterFormat.string(storageClass["provisioner"])),
            .string(storageClass["reclaimPolicy"]?.stringValue ?? "Delete"),
            .string(storageClass["volumeBindingMode"]?.stringValue ?? "Immediate"),
            .bool(storageClass["allowVolumeExpansion"]?.boolValue ?? false),
            PrinterFormat.age(storageClass, now: now),
        ]
    }

    /// storageutil.IsDefaultAnnotation: either annotation set to exactly "true".
    public static func isDefault(_ storageClass: JSON) -> Bool {
        let annotations = storageClass[path: "metadata", "annotations"]
        return annotations?[defaultClassAnnotation]?.stringValue == "true"
            || annotations?[betaDefaultClassAnnotation]?.stringValue == "true"
    }
}
