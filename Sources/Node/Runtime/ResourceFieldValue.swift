import APIMachinery
import Foundation

/// The downward API's `resourceFieldRef` as the kubelet answers it (pkg/api/v1/resource's
/// ExtractContainerResourceValue): a container's request or limit divided by the divisor and
/// rounded up; a limit the container does not set is the node's allocatable.
enum ResourceFieldValue {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// What a node offers when a container sets no limit (the simulated node's capacity).
    static let defaultAllocatable: [String: String] = {
        let node = SimulatedNodeOptions()
        return ["cpu": node.cpu, "memory": node.memory, "ephemeral-storage": node.ephemeralStorage]
    }()

    static func value(resource: String, divisor: String?, container: JSON,
                      allocatable: [String: String] = defaultAllocatable) throws(Failure) -> String {
        let parts = resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["limits", "requests"].contains(parts[0]) else {
            throw Failure(description: "unsupported container resource : \(resource)")
        }
        let (kind, name) = (parts[0], parts[1])
        guard name == "cpu" || name == "memory" || name == "ephemeral-storage" || name.hasPrefix("hugepages-") else {
            throw Failure(description: "unsupported container resource : \(resource)")
        }
        var text = container[path: "resources", kind, name]?.stringValue
        if text == nil, kind == "limits" { text = allocatable[name] }
        let amount = (try? Quantity(parsing: text ?? "0")) ?? Quantity(0)
        // A zero (unset) divisor means 1.
        var by = (try? Quantity(parsing: divisor ?? "1")) ?? Quantity(1)
        if by.isZero { by = Quantity(1) }
        if name == "cpu" {
            return String(Int64((Double(amount.milliValue) / Double(by.milliValue)).rounded(.up)))
        }
        return String(Int64((amount.value / by.value).rounded(.up)))
    }
}
