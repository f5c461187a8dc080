import APIMachinery
import Foundation

/// `kubectl get statefulsets` columns, as upstream's printStatefulSet.
public enum StatefulSetTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Ready", description: "Number of the pod with ready state"),
        .age,
        TableColumn(name: "Containers", description: "Names of each container in the template.", priority: 1),
        TableColumn(name: "Images", description: "Images referenced by each container in the template.", priority: 1),
    ]

    /// READY is status.readyReplicas over spec.replicas (both 0 when unset, as the internal type reads them).
    public static func cells(_ set: JSON, now: Date) -> [JSON] {
        let ready = PrinterFormat.int(set[path: "status", "readyReplicas"])
        let desired = PrinterFormat.int(set[path: "spec", "replicas"])
        let containers = PrinterFormat.containerCells(set[path: "spec", "template", "spec", "containers"])
        return [
            PrinterFormat.name(set), .string("\(ready)/\(desired)"), PrinterFormat.age(set, now: now),
            .string(containers.names), .string(containers.images),
        ]
    }
}
