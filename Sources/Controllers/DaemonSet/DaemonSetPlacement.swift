import APIMachinery
import Foundation

/// Which daemon pods to create and delete, computed from the set, the nodes and the pods on
/// each (manage's podsShouldBeOnNode, and rollingUpdate without and with surge).
struct DaemonSetPlacement {
    let set: DaemonSetView
    let nodes: [JSON]
    let podsByNode: [String: [JSON]]
    let hash: String
    let now: Date
    /// For a failed pod on a node: nil when it may be replaced now, else how long to wait.
    var failedPodDelay: (String) -> TimeInterval? = { _ in nil }

    struct Plan {
        var create: [String] = []
        var delete: [JSON] = []
        /// Failed pods being deleted, with their node, for the FailedDaemonPod event.
        var failed: [(JSON, String)] = []
        /// When a failed pod waits out its backoff: look again after this long.
        var retryAfter: TimeInterval?
        var isEmpty: Bool { create.isEmpty && delete.isEmpty }
    }

    var allowsSurge: Bool { (DeploymentSpecMath.scaled(set.maxSurge, total: 1, roundUp: true)) > 0 && set.isRollingUpdate }

    func isAvailable(_ pod: JSON) -> Bool { PodFacts(pod).isAvailable(minReadySeconds: set.minReadySeconds, now: now) }

    /// manage: a pod for each eligible node without one; failed pods replaced; surplus pods on a
    /// node removed; pods on nodes that should not keep them removed; unscheduled pods pinned to
    /// nodes that are gone removed.
    func manage() -> Plan {
        var plan = Plan()
        let names = Set(nodes.map(\.meta.name))
        for node in nodes {
            let name = node.meta.name
            let (shouldRun, shouldContinueRunning) = DaemonPods.shouldRun(set, on: node)
            let pods = podsByNode[name] ?? []
            if shouldRun && pods.isEmpty {
                plan.create.append(name)
            } else if shouldRun {
                var running: [JSON] = []
                for pod in pods where !pod.meta.isBeingDeleted {
                    if PodView(pod).phase == "Failed" {
                        if let delay = failedPodDelay(name) {
                            plan.retryAfter = min(plan.retryAfter ?? delay, delay)
                            continue
                        }
                        plan.delete.append(pod)
                        plan.failed.append((pod, name))
                    } else {
                        running.append(pod)
                    }
                }
                plan.delete += surplus(running.sorted(by: DaemonPods.oldestFirst))
            } else if !shouldContinueRunning {
                plan.delete += pods.filter { !$0.meta.isBeingDeleted }
            }
        }
        for (node, pods) in podsByNode where !names.contains(node) {
            plan.delete += pods.filter { !PodView($0).isScheduled && !$0.meta.isBeingDeleted }
        }
        return plan
    }

    /// Without surge only the oldest pod stays. With surge an old and a new pod may share a node
    /// while the old one is ready and the new one not yet available.
    func surplus(_ running: [JSON]) -> [JSON] {
        guard allowsSurge else { return Array(running.dropFirst()) }
        var extra: [JSON] = []
        var oldestNew: JSON?, oldestOld: JSON?
        for pod in running {
            if pod.meta.label(DaemonPods.hashLabel) == hash {
                if oldestNew == nil { oldestNew = pod; continue }
            } else if oldestOld == nil {
                oldestOld = pod
                continue
            }
            extra.append(pod)
        }
        if let oldestNew, let oldestOld, !PodView(oldestOld).isReady || isAvailable(oldestNew) { extra.append(oldestOld) }
        return extra
    }

    /// findUpdatedPodsOnNode: the node's new and old pod; nil when it has more than one of either.
    func updatedAndOld(_ pods: [JSON]) -> (new: JSON?, old: JSON?)? {
        var new: JSON?, old: JSON?
        for pod in pods where !pod.meta.isBeingDeleted {
            if DaemonPods.isUpdated(pod, hash: hash, templateGeneration: set.templateGeneration) {
                if new != nil { return nil }
                new = pod
            } else {
                if old != nil { return nil }
                old = pod
            }
        }
        return (new, old)
    }

    /// rollingUpdate: maxUnavailable and maxSurge scaled (rounding up) to the desired node count,
    /// unavailable 1 when both come to 0.
    func rollingUpdate() -> Plan {
        let desired = nodes.filter { DaemonPods.shouldRun(set, on: $0).shouldRun }.count
        var maxUnavailable = DeploymentSpecMath.scaled(set.maxUnavailable, total: desired, roundUp: true)
        let maxSurge = DeploymentSpecMath.scaled(set.maxSurge, total: desired, roundUp: true)
        if desired > 0 && maxUnavailable == 0 && maxSurge == 0 { maxUnavailable = 1 }
        return maxSurge == 0 ? replaceWithin(maxUnavailable: maxUnavailable) : surgeWithin(maxSurge: maxSurge)
    }

    /// Old pods deleted (unavailable ones first, at any count) while fewer than maxUnavailable
    /// nodes lack an available pod; manage then creates the new ones.
    func replaceWithin(maxUnavailable: Int) -> Plan {
        var unavailable = 0
        var replacements: [JSON] = []
        var candidates: [JSON] = []
        for node in podsByNode.keys.sorted() {
            guard let (new, old) = updatedAndOld(podsByNode[node] ?? []) else { unavailable += 1; continue }
            switch (new, old) {
            case (nil, nil), (.some, .some):
                unavailable += 1
            case (.some(let new), nil):
                if !isAvailable(new) { unavailable += 1 }
            case (nil, .some(let old)):
                if !isAvailable(old) {
                    replacements.append(old)
                } else if unavailable < maxUnavailable {
                    candidates.append(old)
                }
            }
        }
        let room = min(max(maxUnavailable - unavailable, 0), candidates.count)
        return Plan(delete: replacements + candidates.prefix(room))
    }

    /// A new pod beside each old one (unavailable old ones at any count, others up to maxSurge);
    /// the old pod goes once its new neighbour is available.
    func surgeWithin(maxSurge: Int) -> Plan {
        var surging = 0
        var plan = Plan()
        var allowed: [String] = []
        var candidates: [String] = []
        for node in podsByNode.keys.sorted() {
            guard let (new, old) = updatedAndOld(podsByNode[node] ?? []) else { surging += 1; continue }
            switch (new, old) {
            case (_, nil):
                continue
            case (nil, .some(let old)):
                if !isAvailable(old) {
                    allowed.append(node)
                } else if surging < maxSurge {
                    candidates.append(node)
                }
            case (.some(let new), .some(let old)):
                if !isAvailable(new) { surging += 1; continue }
                plan.delete.append(old)
            }
        }
        let room = min(max(maxSurge - surging, 0), candidates.count)
        plan.create = allowed + candidates.prefix(room)
        return plan
    }
}
