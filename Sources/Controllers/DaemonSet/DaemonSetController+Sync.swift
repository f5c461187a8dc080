import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension DaemonSetController {
    static let component = "daemonset-controller"

    /// syncDaemonSet: nothing while the pod cache lags this controller's own writes; the set's
    /// pods claimed and grouped by node, the current revision found or made, pods placed and
    /// removed (manage), then, once nothing is pending, the rolling update; history cleaned up;
    /// status written.
    static func sync(_ key: String, _ rt: Runtime) throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let json = rt.sets.get(namespace: parts[0], name: parts[1]) else {
            rt.writes.forget(key)
            return
        }
        if let lag = rt.writes.staleness(key, cache: rt.pods) { throw lag }
        let set = DaemonSetView(json)
        // Upstream refuses a selector selecting everything (validation makes it unreachable).
        if set.selector.isEmpty || set.selector.matchesNothing || set.meta.isBeingDeleted { return }
        let history = rt.history
        let revision = try history.current(set, revisions: try history.list(set))
        if revision.collision { return try writeCollision(set, rt) }

        let candidates = rt.pods.owned(by: set.meta.uid) + rt.pods.uncontrolled(namespace: set.meta.namespace)
        let byName = Dictionary(candidates.map { ($0.meta.name, $0) }, uniquingKeysWith: { a, _ in a })
        let claimed = try PodClaim.claim(candidates, facts: rt.podFacts, owner: set.object, kind: .daemonSet,
                                         selector: set.selector, store: rt.context.client(pods),
                                         canAdopt: { try canAdopt(set, rt) }, wrote: { rt.writes.wrote(key, $0) })
        let pods = claimed.compactMap { byName[$0.name] }
        var podsByNode: [String: [JSON]] = [:]
        for pod in pods {
            guard let node = DaemonPods.targetNode(pod) else { continue }
            podsByNode[node, default: []].append(pod)
        }
        let nodes = rt.nodes.list()
        let now = rt.context.timers.now()
        var placement = DaemonSetPlacement(set: set, nodes: nodes, podsByNode: podsByNode, hash: revision.hash, now: now)
        // failedPodsBackoffKey is per set, observed generation and node; the generation itself is
        // used here, which a spec change moves just the same without depending on how fresh the
        // cached status is.
        placement.failedPodDelay = { node in rt.failedPods.delay("\(set.meta.uid)/\(set.meta.generation)/\(node)", now: now) }
        var plan = placement.manage()
        if let retry = plan.retryAfter { rt.queue.addAfter(key, .milliseconds(Int64(retry * 1000))) }
        for (pod, node) in plan.failed {
            rt.context.events.record(set.object, type: .warning, reason: "FailedDaemonPod",
                                     message: "Found failed daemon pod \(pod.meta.namespace)/\(pod.meta.name) on node \(node), will try to kill it",
                                     component: component)
        }
        // The rolling update waits until manage has nothing left to do (upstream's expectations).
        if plan.isEmpty && set.isRollingUpdate { plan = placement.rollingUpdate() }
        try syncNodes(set, plan, hash: revision.hash, key: key, rt)
        try history.cleanup(set, old: revision.old, pods: pods)

        let counted = podsByNode.mapValues { $0.filter { !(PodView($0).isTerminal && $0.meta.isBeingDeleted) } }
        let status = DaemonSetStatus(set, nodes: nodes, podsByNode: counted, hash: revision.hash, now: rt.context.timers.now())
        try writeStatus(status.json, set, rt)
        if set.minReadySeconds > 0, status.numberReady != status.numberAvailable {
            rt.queue.addAfter(key, .seconds(set.minReadySeconds))
        }
    }

    /// The set as stored now, if it is still the same set and not being deleted (RecheckDeletionTimestamp).
    static func canAdopt(_ set: DaemonSetView, _ rt: Runtime) throws -> Bool {
        let fresh = try rt.context.client(daemonSets).get(namespace: set.meta.namespace, name: set.meta.name).object
        return fresh.meta.uid == set.meta.uid && !fresh.meta.isBeingDeleted
    }

    /// syncNodes: delete what the plan removes, create a pod for each node it names; at most
    /// burstReplicas of each per sync, with upstream's events.
    static func syncNodes(_ set: DaemonSetView, _ plan: DaemonSetPlacement.Plan, hash: String, key: String, _ rt: Runtime) throws {
        let podStore = rt.context.client(pods)
        for node in plan.create.prefix(burstReplicas) {
            let pod = DaemonPods.pod(for: set, node: node, hash: hash)
            do {
                let created = try podStore.create(namespace: set.meta.namespace, body: RequestBody(value: pod), options: WriteOptions()).object
                rt.writes.wrote(key, created)
                rt.context.events.record(set.object, type: .normal, reason: "SuccessfulCreate",
                                         message: "Created pod: \(created.meta.name)", component: component)
            } catch {
                rt.context.events.record(set.object, type: .warning, reason: "FailedCreate",
                                         message: "Error creating: \(error)", component: component)
                throw error
            }
        }
        for pod in plan.delete.prefix(burstReplicas) {
            do {
                switch try podStore.delete(namespace: set.meta.namespace, name: pod.meta.name, options: DeleteOptions()) {
                case .deleted(let object), .marked(let object): rt.writes.wrote(key, object)
                }
                rt.context.events.record(set.object, type: .normal, reason: "SuccessfulDelete",
                                         message: "Deleted pod: \(pod.meta.name)", component: component)
            } catch {
                if error.isNotFound { continue }
                rt.context.events.record(set.object, type: .warning, reason: "FailedDelete",
                                         message: "Error deleting: \(error)", component: component)
                throw error
            }
        }
    }

    /// storeDaemonSetStatus: written through `daemonsets/status` when it changed; a conflict is
    /// left to the next sync, which the conflicting write's event brings.
    static func writeStatus(_ status: JSON, _ set: DaemonSetView, _ rt: Runtime) throws {
        if status == set.status { return }
        var object = set.object
        object["status"] = status
        do {
            _ = try rt.context.client(daemonSets)
                .updateStatus(namespace: set.meta.namespace, name: set.meta.name, body: RequestBody(value: object), options: WriteOptions())
        } catch {
            if !error.isNotFound { throw error }
        }
    }

    /// A revision name taken by other data: the collision count moves, so the next hash differs.
    static func writeCollision(_ set: DaemonSetView, _ rt: Runtime) throws {
        var status = set.status
        status["collisionCount"] = .int(Int64((set.collisionCount ?? 0) + 1))
        try writeStatus(status, set, rt)
    }
}
