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
    /// container restarts before fewer; newer before older.
    static func deletionOrder(_ pods: [JSON]) -> [JSON] {
        var perNode: [String: Int] = [:]
        for pod in pods { let node = PodView(pod).nodeName; if !node.isEmpty { perNode[node, default: 0] += 1 } }
        func phaseRank(_ pod: JSON) -> Int {
            switch PodView(pod).phase ?? "" {
            case "Pending": return 0
            case "Unknown": return 1
            case "Running": return 2
            default: return 3
            }
        }
        return pods.sorted { a, b in
            let va = PodView(a), vb = PodView(b)
            if va.isScheduled != vb.isScheduled { return !va.isScheduled }
            if phaseRank(a) != phaseRank(b) { return phaseRank(a) < phaseRank(b) }
            if va.isReady != vb.isReady { return !va.isReady }
            let ra = perNode[va.nodeName] ?? 0, rb = perNode[vb.nodeName] ?? 0
            if ra != rb { return ra > rb }
            if va.isReady, vb.isReady, let ta = readySince(a), let tb = readySince(b), ta != tb { return ta > tb }
            if va.maxContainerRestarts != vb.maxContainerRestarts { return va.maxContainerRestarts > vb.maxContainerRestarts }
            let ca = a.meta.creationTimestamp.flatMap(Timestamp.parse), cb = b.meta.creationTimestamp.flatMap(Timestamp.parse)
            if ca != cb {
                guard let ca else { return true }
                guard let cb else { return false }
                return ca > cb
            }
            return a.meta.name < b.meta.name
        }
    }
}
