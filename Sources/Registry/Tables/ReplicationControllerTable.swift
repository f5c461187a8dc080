import APIMachinery
import Foundation

/// `kubectl get replicationcontrollers` columns, as upstream's printReplicationController.
public enum ReplicationControllerTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Desired", type: "integer", description: "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"),
        TableColumn(name: "Current", type: "integer", description: "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"),
        TableColumn(name: "Ready", type: "integer", description: "The number of ready replicas for this replication controller."),
        .age,
        TableColumn(name: "Containers", description: "Names of each container in the template.", priority: 1),
        TableColumn(name: "Images", description: "Images referenced by each container in the template.", priority: 1),
        TableColumn(name: "Selector", description: "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", priority: 1),
    ]

    public static func cells(_ rc: JSON, now: Date) -> [JSON] {
        let containers = PrinterFormat.containerCells(rc[path: "spec", "template", "spec", "containers"])
        return [
            PrinterFormat.name(rc),
            .int(PrinterFormat.int(rc[path: "spec", "replicas"])),
            .int(PrinterFormat.int(rc[path: "status", "replicas"])),
            .int(PrinterFormat.int(rc[path: "status", "readyReplicas"])),
            PrinterFormat.age(rc, now: now),
            .string(containers.names), .string(containers.images),
            .string(LabelSelector(set: rc[path: "spec", "selector"]).queryString),
        ]
    }
}
