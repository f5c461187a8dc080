import APIMachinery
import Foundation

/// `kubectl get crd` columns: upstream serves CRDs through the default table convertor, Name and
/// Created At (the creation time as RFC 3339, not an age).
public enum CustomResourceDefinitionTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Created At", type: "date", description: TableColumn.age.description),
    ]

    public static func cells(_ crd: JSON, now: Date) -> [JSON] {
        [PrinterFormat.name(crd), crd[path: "metadata", "creationTimestamp"] ?? .null]
    }
}
