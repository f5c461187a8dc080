import APIMachinery
import Foundation

/// `kubectl get serviceaccounts` columns, as upstream's printServiceAccount.
enum ServiceAccountTable {
    static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Secrets", description: "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."),
        .age,
    ]

    static func cells(_ account: JSON, now: Date) -> [JSON] {
        [PrinterFormat.name(account), .int(Int64(PrinterFormat.array(account["secrets"]).count)), PrinterFormat.age(account, now: now)]
    }
}

/// Roles and ClusterRoles (printRole, printClusterRole): the creation time as RFC 3339, not an age.
enum RoleTable {
    static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Created At", type: "date", description: "CreationTimestamp is a timestamp representing the server time when this object was created."),
    ]

    static func cells(_ role: JSON, now: Date) -> [JSON] {
        [PrinterFormat.name(role), .string(PrinterFormat.string(role[path: "metadata", "creationTimestamp"]))]
    }
}

/// RoleBindings and ClusterRoleBindings (printRoleBinding, printClusterRoleBinding): the role as
/// `Kind/name`; `-o wide` adds the subjects by kind (rbac.SubjectsStrings).
enum RoleBindingTable {
    static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Role", description: "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error."),
        .age,
        TableColumn(name: "Users", description: "Users in the roleBinding", priority: 1),
        TableColumn(name: "Groups", description: "Groups in the roleBinding", priority: 1),
        TableColumn(name: "ServiceAccounts", description: "ServiceAccounts in the roleBinding", priority: 1),
    ]

    static func cells(_ binding: JSON, now: Date) -> [JSON] {
        let ref = binding["roleRef"] ?? [:]
        var users: [String] = [], groups: [String] = [], accounts: [String] = []
        for subject in PrinterFormat.array(binding["subjects"]) {
            let name = PrinterFormat.string(subject["name"])
            switch PrinterFormat.string(subject["kind"]) {
            case "User": users.append(name)
            case "Group": groups.append(name)
            case "ServiceAccount": accounts.append("\(PrinterFormat.string(subject["namespace"]))/\(name)")
            default: break
            }
        }
        return [PrinterFormat.name(binding), .string("\(PrinterFormat.string(ref["kind"]))/\(PrinterFormat.string(ref["name"]))"),
                PrinterFormat.age(binding, now: now), .string(users.joined(separator: ", ")),
                .string(groups.joined(separator: ", ")), .string(accounts.joined(separator: ", "))]
    }
}

/// `kubectl get poddisruptionbudgets` columns, as upstream's printPodDisruptionBudget.
enum PodDisruptionBudgetTable {
    static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Min Available", description: "The minimum number of pods that must be available."),
        TableColumn(name: "Max Unavailable", description: "The maximum number of pods that may be unavailable."),
        TableColumn(name: "Allowed Disruptions", type: "integer", description: "Calculated number of pods that may be disrupted at this time."),
        .age,
    ]

    static func cells(_ budget: JSON, now: Date) -> [JSON] {
        func intOrString(_ value: JSON?) -> String {
            switch value {
            case .int(let i)?: return String(i)
            case .string(let s)?: return s
            default: return "N/A"
            }
        }
        return [PrinterFormat.name(budget), .string(intOrString(budget[path: "spec", "minAvailable"])),
                .string(intOrString(budget[path: "spec", "maxUnavailable"])),
                .int(PrinterFormat.int(budget[path: "status", "disruptionsAllowed"])), PrinterFormat.age(budget, now: now)]
    }
}
