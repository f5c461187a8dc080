import APIMachinery
import Foundation

/// What the ReplicaSet and Deployment controllers read from pods (pkg/controller/controller_utils.go
/// and podutil): activity, readiness, availability, and the order pods are deleted in.
enum ActivePods {
    /// IsPodActive: not Succeeded or Failed and not being deleted.
    static func isActive(_ pod: JSON) -> Bool {
        let view = PodView(pod)
        return !view.isTerminal && !pod.meta.isBeingDeleted
    }

    /// podutil.IsPodAvailable: ready, and for minReadySeconds since the Ready condition's transition.
    static func isAvailable(_ pod: JSON, minReadySeconds: Int, now: Date) -> Bool {
        let view = PodView(pod)
        guard view.isReady else { return false }
        if minReadySeconds == 0 { return true }
        guard let text = view.condition("Ready")?.lastTransitionTime, let since = Timestamp.parse(text) else { return false }
        return since.addingTimeInterval(TimeInterval(minReadySeconds)) <= now
    }

    /// The Ready condition's transition time of a ready pod (when it turns available after minReadySeconds).
    static func readySince(_ pod: JSON) -> Date? {
        let view = PodView(pod)
        guard view.isReady, let text = view.condition("Ready")?.lastTransitionTime else { return nil }
        return Timestamp.parse(text)
    }

    /// ActivePodsWithRanks' order: the pods to delete first come first. Unscheduled before
    /// scheduled; Pending before Unknown before Running; not ready before ready; more pods of
    /// the same owner on the node before fewer; ready for a shorter time before longer; more
    /// container restarts before fewer; newer before older. Each pod's keys are read once.
    static func deletionOrder(_ pods: [JSON]) -> [JSON] {
        let keys = pods.map(DeletionRank.init)
        var perNode: [String: Int] = [:]
        for key in keys where !key.node.isEmpty { perNode[key.node, default: 0] += 1 }
        let order = keys.indices.sorted { i, j in
            let a = keys[i], b = keys[j]
            if a.node.isEmpty != b.node.isEmpty { return a.node.isEmpty }
            if a.phaseRank != b.phaseRank { return a.phaseRank < b.phaseRank }
            if a.ready != b.ready { return !a.ready }
            let ra = perNode[a.node] ?? 0, rb = perNode[b.node] ?? 0
            if ra != rb { return ra > rb }
            if a.ready, b.ready, let ta = a.readySince, let tb = b.readySince, ta != tb { return ta > tb }
            if a.restarts != b.restarts { return a.restarts > b.restarts }
            if a.created != b.created {
                guard let ca = a.created else { return true }
                guard let cb = b.created else { return false }
                return ca > cb
            }
            return a.name < b.name
        }
        return order.map { pods[$0] }
    }

    /// What the deletion order compares, read from a pod once.
    private struct DeletionRank {
        let name: String
        let node: String
        let phaseRank: Int
        let ready: Bool
        let readySince: Date?
        let restarts: Int
        let created: Date?

        init(_ pod: JSON) {
            let view = PodView(pod)
            name = pod.meta.name
            node = view.nodeName
            switch view.phase ?? "" {
            case "Pending": phaseRank = 0
            case "Unknown": phaseRank = 1
            case "Running": phaseRank = 2
            default: phaseRank = 3
            }
            let condition = view.condition("Ready")
            ready = condition?.status == "True"
            readySince = ready ? condition?.lastTransitionTime.flatMap(Timestamp.parse) : nil
            restarts = view.maxContainerRestarts
            created = pod.meta.creationTimestamp.flatMap(Timestamp.parse)
        }
    }
}
