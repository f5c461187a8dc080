import APIMachinery
import Foundation

/// `kubectl get replicasets` columns, as upstream's printReplicaSet.
public enum ReplicaSetTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Desired", type: "integer", description: "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset"),
        TableColumn(name: "Current", type: "integer", description: "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset"),
        TableColumn(name: "Ready", type: "integer", description: "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
        .age,
        TableColumn(name: "Containers", description: "Names of each container in the template.", priority: 1),
        TableColumn(name: "Images", description: "Images referenced by each container in the template.", priority: 1),
        TableColumn(name: "Selector", description: "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", priority: 1),
    ]

    public static func cells(_ set: JSON, now: Date) -> [JSON] {
        let containers = PrinterFormat.containerCells(set[path: "spec", "template", "spec", "containers"])
        return [
            PrinterFormat.name(set),
            .int(PrinterFormat.int(set[path: "spec", "replicas"])),
            .int(PrinterFormat.int(set[path: "status", "replicas"])),
            .int(PrinterFormat.int(set[path: "status", "readyReplicas"])),
            PrinterFormat.age(set, now: now),
            .string(containers.names), .string(containers.images),
            .string(PrinterFormat.selector(set[path: "spec", "selector"])),
        ]
    }
}
