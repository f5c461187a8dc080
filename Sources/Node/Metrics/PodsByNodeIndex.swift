import APIMachinery
import ControllerRuntime
import Storage
import Synchronization

/// The pods informer's pods by the node they are bound to (`spec.nodeName`), as stored: what a
/// kubelet's pod source watches (upstream's field selector `spec.nodeName=<node>`). The metrics
/// scraper reads its own nodes' pods from it, so a scrape decodes those and not every pod in the
/// cluster (100,000 pending pods are no work for it).
final class PodsByNodeIndex: InformerIndex {
    static let name = "podsByNode"
    private let nodes = Mutex<[String: [Informer.ObjectName: StoredObject]]>([:])

    func apply(_ key: Informer.ObjectName, old: JSON?, new: StoredObject?) {
        let before = old.map { PodView($0).nodeName } ?? ""
        let after = new.map { PodView($0.object).nodeName } ?? ""
        nodes.withLock { nodes in
            if !before.isEmpty {
                nodes[before]?[key] = nil
                if nodes[before]?.isEmpty == true { nodes[before] = nil }
            }
            if let new, !after.isEmpty { nodes[after, default: [:]][key] = new }
        }
    }

    /// The pods bound to any of `names`, decoded.
    func pods(on names: Set<String>) -> [JSON] {
        nodes.withLock { nodes in names.flatMap { nodes[$0].map { Array($0.values) } ?? [] } }.map(\.object)
    }
}
