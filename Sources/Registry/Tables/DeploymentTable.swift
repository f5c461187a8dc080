import APIMachinery
import Foundation

/// `kubectl get deployments` columns, as upstream's printDeployment.
public enum DeploymentTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Ready", description: "Number of the pod with ready state"),
        TableColumn(name: "Up-to-date", description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        TableColumn(name: "Available", description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        .age,
        TableColumn(name: "Containers", description: "Names of each container in the template.", priority: 1),
        TableColumn(name: "Images", description: "Images referenced by each container in the template.", priority: 1),
        TableColumn(name: "Selector", description: "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", priority: 1),
    ]

    public static func cells(_ deployment: JSON, now: Date) -> [JSON] {
        let ready = PrinterFormat.int(deployment[path: "status", "readyReplicas"])
        let desired = PrinterFormat.int(deployment[path: "spec", "replicas"])
        let containers = PrinterFormat.containerCells(deployment[path: "spec", "template", "spec", "containers"])
        return [
            PrinterFormat.name(deployment), .string("\(ready)/\(desired)"),
            .int(PrinterFormat.int(deployment[path: "status", "updatedReplicas"])),
            .int(PrinterFormat.int(deployment[path: "status", "availableReplicas"])),
            PrinterFormat.age(deployment, now: now),
            .string(containers.names), .string(containers.images),
            .string(PrinterFormat.selector(deployment[path: "spec", "selector"])),
        ]
    }
}
