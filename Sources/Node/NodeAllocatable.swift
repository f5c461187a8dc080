import APIMachinery
import Synchronization

/// Nodes' `status.allocatable` as resource amounts, parsed once per value: the scheduler weighs
/// every node for every pod, and parsing the quantities again each time was a twentieth of a
/// 1,000-pod rollout's CPU.
final class NodeAllocatable: Sendable {
    private let parsed = Mutex<[String: (source: JSON, resources: NodeFit.Resources)]>([:])

    func resources(of node: JSON) -> NodeFit.Resources {
        let name = node.meta.name
        let source = NodeView(node).allocatable ?? .null
        if let hit = parsed.withLock({ $0[name] }), hit.source == source { return hit.resources }
        let resources = NodeFit.quantities(source)
        parsed.withLock { $0[name] = (source, resources) }
        return resources
    }
}
