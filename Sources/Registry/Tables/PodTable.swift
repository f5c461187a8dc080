import APIMachinery
import Foundation

/// `kubectl get pods` columns, as upstream's printPod computes them (pkg/printers/internalversion).
public enum PodTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Ready", description: "The aggregate readiness state of this pod for accepting traffic."),
        TableColumn(name: "Status", description: "The aggregate status of the containers in this pod."),
        TableColumn(name: "Restarts", description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        .age,
        TableColumn(name: "IP", description: "IP address allocated to the pod.", priority: 1),
        TableColumn(name: "Node", description: "The node the pod is scheduled onto.", priority: 1),
        TableColumn(name: "Nominated Node", description: "The node the scheduler nominated for this pod when it preempted others.", priority: 1),
        TableColumn(name: "Readiness Gates", description: "Pod conditions that must be true, beyond container readiness, for the pod to be ready.", priority: 1),
    ]

    /// The reason the kubelet sets when a node stops reporting (node.NodeUnreachablePodReason).
    static let nodeUnreachableReason = "NodeLost"

    public static func cells(_ pod: JSON, now: Date) -> [JSON] {
        template(pod).map { $0.rendered(now: now) }
    }

    /// The cells with RESTARTS' "(… ago)" and AGE left open: everything else depends only on the pod.
    public static func template(_ pod: JSON) -> [TableCell] {
        let spec = pod["spec"] ?? .null
        let status = pod["status"] ?? .null
        let summary = PodStatusSummary(pod)

        var restarts = TableCell.value(.string(String(summary.restarts)))
        if summary.restarts != 0, let last = summary.lastRestart {
            restarts = .since(last, prefix: "\(summary.restarts) (", suffix: " ago)")
        }

        var podIP = PrinterFormat.string(PrinterFormat.array(status["podIPs"]).first?["ip"])
        if podIP.isEmpty { podIP = PrinterFormat.string(status["podIP"]) }
        let nodeName = PrinterFormat.string(spec["nodeName"])
        let nominated = PrinterFormat.string(status["nominatedNodeName"])

        return [
            .value(PrinterFormat.name(pod)),
            .value(.string("\(summary.readyContainers)/\(summary.totalContainers)")),
            .value(.string(summary.reason)),
            restarts,
            PrinterFormat.ageCell(pod),
            .value(.string(podIP.isEmpty ? "<none>" : podIP)),
            .value(.string(nodeName.isEmpty ? "<none>" : nodeName)),
            .value(.string(nominated.isEmpty ? "<none>" : nominated)),
            .value(.string(readinessGates(spec: spec, status: status))),
        ]
    }

    /// `true/total` over spec.readinessGates, `<none>` without gates.
    static func readinessGates(spec: JSON, status: JSON) -> String {
        let gates = PrinterFormat.array(spec["readinessGates"])
        guard !gates.isEmpty else { return "<none>" }
        let conditions = PrinterFormat.array(status["conditions"])
        var satisfied = 0
        for gate in gates {
            let type = PrinterFormat.string(gate["conditionType"])
            if let condition = conditions.first(where: { $0["type"]?.stringValue == type }),
               condition["status"]?.stringValue == "True" {
                satisfied += 1
            }
        }
        return "\(satisfied)/\(gates.count)"
    }
}
