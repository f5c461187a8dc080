import APIMachinery
import Foundation

/// The order a ReplicaSet deletes its surplus pods in (pkg/controller/controller_utils.go).
enum ActivePods {
    /// ActivePodsWithRanks' order: the pods to delete first come first. Unscheduled before
    /// scheduled; Pending before Unknown before Running; not ready before ready; more pods of
    /// the same owner on the node before fewer; ready for a shorter time before longer; more
    /// container restarts before fewer; newer before older.
    static func deletionOrder(_ pods: [PodFacts]) -> [PodFacts] {
        var perNode: [String: Int] = [:]
        for pod in pods where !pod.node.isEmpty { perNode[pod.node, default: 0] += 1 }
        // Each pod's count of same-node pods is looked up once, not in every comparison.
        let ranked = pods.map { (pod: $0, onNode: perNode[$0.node] ?? 0) }
        return ranked.sorted { x, y in
            let a = x.pod, b = y.pod
            if a.node.isEmpty != b.node.isEmpty { return a.node.isEmpty }
            if a.phaseRank != b.phaseRank { return a.phaseRank < b.phaseRank }
            if a.ready != b.ready { return !a.ready }
            if x.onNode != y.onNode { return x.onNode > y.onNode }
            if a.ready, b.ready, let ta = a.readySince, let tb = b.readySince, ta != tb { return ta > tb }
            if a.restarts != b.restarts { return a.restarts > b.restarts }
            if a.created != b.created {
                guard let ca = a.created else { return true }
                guard let cb = b.created else { return false }
                return ca > cb
            }
            return a.name < b.name
        }.map(\.pod)
    }
}
