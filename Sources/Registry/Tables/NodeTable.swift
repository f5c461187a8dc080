import APIMachinery
import Foundation

/// `kubectl get nodes` columns, as upstream's printNode.
public enum NodeTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Status", description: "The status of the node"),
        TableColumn(name: "Roles", description: "The roles of the node"),
        .age,
        TableColumn(name: "Version", description: "Kubelet version reported by the node."),
        TableColumn(name: "Internal-IP", description: "The node's internal address.", priority: 1),
        TableColumn(name: "External-IP", description: "The node's external address.", priority: 1),
        TableColumn(name: "OS-Image", description: "OS image reported by the node.", priority: 1),
        TableColumn(name: "Kernel-Version", description: "Kernel version reported by the node.", priority: 1),
        TableColumn(name: "Container-Runtime", description: "Container runtime version reported by the node.", priority: 1),
    ]

    static let rolePrefix = "node-role.kubernetes.io/"
    static let roleLabel = "kubernetes.io/role"

    public static func cells(_ node: JSON, now: Date) -> [JSON] {
        let info = node[path: "status", "nodeInfo"] ?? .null
        func known(_ key: String) -> JSON {
            let value = PrinterFormat.string(info[key])
            return .string(value.isEmpty ? "<unknown>" : value)
        }
        let roles = findRoles(node).joined(separator: ",")
        return [
            PrinterFormat.name(node),
            .string(status(node)),
            .string(roles.isEmpty ? "<none>" : roles),
            PrinterFormat.age(node, now: now),
            .string(PrinterFormat.string(info["kubeletVersion"])),
            .string(address(node, "InternalIP")),
            .string(address(node, "ExternalIP")),
            known("osImage"), known("kernelVersion"), known("containerRuntimeVersion"),
        ]
    }

    /// `Ready`, `NotReady` or `Unknown` from the Ready condition, then `SchedulingDisabled` when cordoned.
    static func status(_ node: JSON) -> String {
        var parts: [String] = []
        let ready = PrinterFormat.array(node[path: "status", "conditions"]).last { $0["type"]?.stringValue == "Ready" }
        if let ready {
            parts.append(ready["status"]?.stringValue == "True" ? "Ready" : "NotReady")
        } else {
            parts.append("Unknown")
        }
        if node[path: "spec", "unschedulable"]?.boolValue == true { parts.append("SchedulingDisabled") }
        return parts.joined(separator: ",")
    }

    /// findNodeRoles: `node-role.kubernetes.io/<role>` label names and `kubernetes.io/role` values, sorted, each once.
    static func findRoles(_ node: JSON) -> [String] {
        var roles: Set<String> = []
        for (key, value) in node[path: "metadata", "labels"]?.objectValue ?? [:] {
            if key.hasPrefix(rolePrefix) {
                let role = String(key.dropFirst(rolePrefix.count))
                if !role.isEmpty { roles.insert(role) }
            } else if key == roleLabel, let role = value.stringValue, !role.isEmpty {
                roles.insert(role)
            }
        }
        return roles.sorted()
    }

    /// The first address of a type, or `<none>`.
    static func address(_ node: JSON, _ type: String) -> String {
        let match = PrinterFormat.array(node[path: "status", "addresses"]).first { $0["type"]?.stringValue == type }
        return match.map { PrinterFormat.string($0["address"]) } ?? "<none>"
    }
}
