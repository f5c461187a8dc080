import APIMachinery
import Foundation

/// `kubectl get secrets` columns, as upstream's printSecret.
public enum SecretTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Type", description: "Used to facilitate programmatic handling of secret data."),
        TableColumn(name: "Data", description: "The number of keys in data."),
        .age,
    ]

    /// DATA counts `data` only: by the time a Secret is stored, stringData has been merged into it.
    public static func cells(_ secret: JSON, now: Date) -> [JSON] {
        [PrinterFormat.name(secret), .string(PrinterFormat.string(secret["type"])),
         .int(Int64(secret["data"]?.objectValue?.count ?? 0)), PrinterFormat.age(secret, now: now)]
    }
}
