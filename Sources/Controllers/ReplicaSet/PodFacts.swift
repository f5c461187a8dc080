import APIMachinery
import Foundation
import Storage
import Synchronization

/// What the ReplicaSet controller reads from a pod: its claim, activity, readiness and deletion
/// rank, read from the pod's JSON once per pod version, when first asked for. A set's sync looks at
/// every pod it owns, and in a rollout each of thousands of pod changes syncs a set again. A class:
/// a sync copies, filters and sorts a thousand of them, each copy one reference. Read lazily because
/// the pods informer's index keeps facts for every pod, orphans included, and most orphans are never
/// looked at by a ReplicaSet: 100,000 pending pods then cost their stored form, not 100,000 trees
/// and label maps.
final class PodFacts: Sendable {
    /// The pod these facts were read from: kept as stored when it came from the informer (its bytes;
    /// its tree only while the decoded tree cache holds it).
    private let source: Source
    private let read = Mutex<Read?>(nil)

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

    var name: String { facts.name }
    var labels: [String: String] { facts.labels }
    /// The uid of the pod's controller; nil for an orphan.
    var controllerUID: String? { facts.controllerUID }
    /// IsPodActive: not Succeeded or Failed and not being deleted.
    var active: Bool { facts.active }
    var ready: Bool { facts.ready }
    /// When the Ready condition turned True (for minReadySeconds and the deletion order).
    var readySince: Date? { facts.readySince }
    var node: String { facts.node }
    /// Pending 0, Unknown 1, Running 2, anything else 3 (the deletion order's phase rank).
    var phaseRank: Int { facts.phaseRank }
    var restarts: Int { facts.restarts }
    var created: Date? { facts.created }

    /// The name of the pods informer's index of facts by controller (see `ControllerIndex`).
    static let indexName = "podFacts"

    init(_ pod: JSON) { source = .tree(pod) }

    init(stored: StoredObject) { source = .stored(stored) }

    /// The facts, read from the pod on first use (two first readers may both read; one is kept).
    private var facts: Read {
        if let known = read.withLock({ $0 }) { return known }
        let fresh = Read(pod)
        return read.withLock { kept in
            if let kept { return kept }
            kept = fresh
            return fresh
        }
    }

    private final class Read: Sendable {
        let name: String
        let labels: [String: String]
        let controllerUID: String?
        let active: Bool
        let ready: Bool
        let readySince: Date?
        let node: String
        let phaseRank: Int
        let restarts: Int
        let created: Date?

        init(_ pod: JSON) {
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
