import APIMachinery
import Foundation
import Storage
import Synchronization

/// What the ReplicaSet controller reads from a pod: its claim, activity, readiness and deletion
/// rank, read from the pod's JSON once per pod version. A set's sync looks at every pod it owns,
/// and in a rollout each of thousands of pod changes syncs a set again. A class: a sync copies,
/// filters and sorts a thousand of them, each copy one reference.
final class PodFacts: Sendable {
    /// The pod these facts were read from: kept as stored when it came from the informer (its bytes;
    /// its tree only while the decoded tree cache holds it), so facts for 100,000 pods do not pin
    /// 100,000 trees.
    private let source: Source
    var pod: JSON {
        switch source {
        case .tree(let pod): return pod
        case .stored(let stored): return stored.object
        }
    }

    private enum Source: Sendable {
        case tree(JSON)
        case stored(StoredObject)
    }
    let name: String
    let labels: [String: String]
    /// The uid of the pod's controller; nil for an orphan.
    let controllerUID: String?
    /// IsPodActive: not Succeeded or Failed and not being deleted.
    let active: Bool
    let ready: Bool
    /// When the Ready condition turned True (for minReadySeconds and the deletion order).
    let readySince: Date?
    let node: String
    /// Pending 0, Unknown 1, Running 2, anything else 3 (the deletion order's phase rank).
    let phaseRank: Int
    let restarts: Int
    let created: Date?

    /// The name of the pods informer's index of facts by controller (see `ControllerIndex`).
    static let indexName = "podFacts"

    convenience init(_ pod: JSON) { self.init(pod, source: .tree(pod)) }

    convenience init(stored: StoredObject) { self.init(stored.object, source: .stored(stored)) }

    private init(_ pod: JSON, source: Source) {
        self.source = source
        let view = PodView(pod)
        let meta = pod.meta
        name = meta.name
        labels = meta.labels
        controllerUID = meta.controllerRef?.uid
        active = !view.isTerminal && !meta.isBeingDeleted
        let condition = view.condition("Ready")
        ready = condition?.status == "True"
        readySince = ready ? condition?.lastTransitionTime.flatMap(Timestamp.parse) : nil
        node = view.nodeName
        switch view.phase ?? "" {
        case "Pending": phaseRank = 0
        case "Unknown": phaseRank = 1
        case "Running": phaseRank = 2
        default: phaseRank = 3
        }
        restarts = view.maxContainerRestarts
        created = meta.creationTimestamp.flatMap(Timestamp.parse)
    }

    /// podutil.IsPodAvailable: ready, and for minReadySeconds since the Ready condition's transition.
    func isAvailable(minReadySeconds: Int, now: Date) -> Bool {
        guard ready else { return false }
        if minReadySeconds == 0 { return true }
        guard let readySince else { return false }
        return readySince.addingTimeInterval(TimeInterval(minReadySeconds)) <= now
    }
}

/// PodFacts by pod uid, valid for one resourceVersion; a deleted pod's entry is dropped.
final class PodFactsCache: Sendable {
    private let entries = Mutex<[String: (version: String, facts: PodFacts)]>([:])

    func facts(_ pod: JSON) -> PodFacts { facts([pod])[0] }

    /// The facts of each pod, in order; the cache is locked once for the lookups and once for
    /// the pods read afresh.
    func facts(_ pods: [JSON]) -> [PodFacts] {
        let keys = pods.map { pod -> (uid: String, version: String) in
            let meta = pod.meta
            return (meta.uid, meta.resourceVersion)
        }
        var found: [PodFacts?] = entries.withLock { cache in
            keys.map { key in cache[key.uid].flatMap { $0.version == key.version ? $0.facts : nil } }
        }
        var fresh: [(String, String, PodFacts)] = []
        for i in pods.indices where found[i] == nil {
            let facts = PodFacts(pods[i])
            found[i] = facts
            fresh.append((keys[i].uid, keys[i].version, facts))
        }
        if !fresh.isEmpty {
            entries.withLock { cache in for (uid, version, facts) in fresh { cache[uid] = (version, facts) } }
        }
        return found.map { $0! }
    }

    func forget(_ pod: JSON) {
        _ = entries.withLock { $0.removeValue(forKey: pod.meta.uid) }
    }
}
