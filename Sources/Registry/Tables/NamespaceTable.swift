import APIMachinery
import Foundation

/// `kubectl get namespaces` columns, as upstream's printNamespace.
public enum NamespaceTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Status", description: "The status of the namespace"),
        .age,
    ]

    public static func cells(_ namespace: JSON, now: Date) -> [JSON] {
        [PrinterFormat.name(namespace), .string(PrinterFormat.string(namespace[path: "status", "phase"])),
         PrinterFormat.age(namespace, now: now)]
    }
}
