import APIMachinery
import Foundation

/// `kubectl get daemonsets` columns, as upstream's printDaemonSet.
public enum DaemonSetTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Desired", type: "integer", description: "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
        TableColumn(name: "Current", type: "integer", description: "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
        TableColumn(name: "Ready", type: "integer", description: "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
        TableColumn(name: "Up-to-date", type: "integer", description: "The total number of nodes that are running updated daemon pod"),
        TableColumn(name: "Available", type: "integer", description: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
        TableColumn(name: "Node Selector", description: "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
        .age,
        TableColumn(name: "Containers", description: "Names of each container in the template.", priority: 1),
        TableColumn(name: "Images", description: "Images referenced by each container in the template.", priority: 1),
        TableColumn(name: "Selector", description: "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", priority: 1),
    ]

    public static func cells(_ set: JSON, now: Date) -> [JSON] {
        let containers = PrinterFormat.containerCells(set[path: "spec", "template", "spec", "containers"])
        let status = set["status"] ?? [:]
        return [
            PrinterFormat.name(set),
            .int(PrinterFormat.int(status["desiredNumberScheduled"])),
            .int(PrinterFormat.int(status["currentNumberScheduled"])),
            .int(PrinterFormat.int(status["numberReady"])),
            .int(PrinterFormat.int(status["updatedNumberScheduled"])),
            .int(PrinterFormat.int(status["numberAvailable"])),
            .string(PrinterFormat.labels(set[path: "spec", "template", "spec", "nodeSelector"])),
            PrinterFormat.age(set, now: now),
            .string(containers.names), .string(containers.images),
            .string(PrinterFormat.selector(set[path: "spec", "selector"])),
        ]
    }
}
