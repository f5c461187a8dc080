import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension ReplicaSetController {
    /// syncReplicaSet: the set from the cache (gone means nothing to do), nothing while the pod
    /// cache lags this controller's own writes, its pods claimed, replicas managed unless the set
    /// is being deleted, then the status; with minReadySeconds, look again once pods may be available.
    static func sync(_ key: String, _ rt: Runtime) throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let json = rt.sets.get(namespace: parts[0], name: parts[1]) else {
            rt.writes.forget(key)
            return
        }
        if let lag = rt.writes.staleness(key, cache: rt.pods) { throw lag }
        let set = ReplicaSetView(json)
        if set.selector.matchesNothing { return }
        // The set's own pods and the orphans, from the pod index: a pod controlled by another
        // owner is never claimed, so the rest of the namespace need not be read.
        let claimed = try PodClaim.claim(controlled: rt.podFacts.controlled(by: set.meta.uid),
                                         uncontrolled: rt.podFacts.uncontrolled(namespace: set.meta.namespace),
                                         owner: set.object, kind: rt.kind.owner,
                                         selector: set.selector, store: rt.context.client(pods),
                                         canAdopt: { try canAdopt(set, rt) }, wrote: { rt.writes.wrote(key, $0) })
        let active = claimed.filter(\.active)
        var manageError: (any Error)?
        if !set.meta.isBeingDeleted {
            do { try manageReplicas(active, set, key, rt) } catch { manageError = error }
        }
        let now = rt.context.timers.now()
        var status = ReplicaSetStatus(set, pods: active, now: now)
        status.reportFailure(manageError, surplus: active.count - set.replicas, now: now)
        let written = try writeStatus(status, set, rt)
        if let manageError { throw manageError }
        if set.minReadySeconds > 0, written.readyReplicas == set.replicas, written.availableReplicas != set.replicas {
            rt.queue.addAfter(key, .seconds(set.minReadySeconds))
        }
    }

    /// The set as stored now, if it is still the same set and not being deleted (RecheckDeletionTimestamp).
    static func canAdopt(_ set: ReplicaSetView, _ rt: Runtime) throws -> Bool {
        let fresh = try rt.context.client(rt.kind.resource).get(namespace: set.meta.namespace, name: set.meta.name).object
        if fresh.meta.uid != set.meta.uid { return false }
        return !fresh.meta.isBeingDeleted
    }

    /// manageReplicas: create the missing pods from the template, or delete the surplus in
    /// upstream's deletion order; at most burstReplicas at a time.
    static func manageReplicas(_ active: [PodFacts], _ set: ReplicaSetView, _ key: String, _ rt: Runtime) throws {
        let diff = active.count - set.replicas
        let podStore = rt.context.client(pods)
        if diff < 0 {
            for _ in 0..<min(-diff, burstReplicas) {
                let pod = PodTemplate.pod(from: set.template, owner: set.object, kind: rt.kind.owner)
                do {
                    let created = try podStore.create(namespace: set.meta.namespace, body: RequestBody(value: pod), options: WriteOptions()).object
                    rt.writes.wrote(key, created)
                    rt.context.events.record(set.object, type: .normal, reason: "SuccessfulCreate",
                                             message: "Created pod: \(created.meta.name)", component: rt.kind.controllerName)
                } catch {
                    rt.context.events.record(set.object, type: .warning, reason: "FailedCreate",
                                             message: "Error creating: \(error)", component: rt.kind.controllerName)
                    throw error
                }
            }
        } else if diff > 0 {
            for pod in ActivePods.deletionOrder(active).prefix(min(diff, burstReplicas)) {
                do {
                    let result = try podStore.delete(namespace: set.meta.namespace, name: pod.name, options: DeleteOptions())
                    switch result {
                    case .deleted(let object), .marked(let object): rt.writes.wrote(key, object)
                    }
                    rt.context.events.record(set.object, type: .normal, reason: "SuccessfulDelete",
                                             message: "Deleted pod: \(pod.name)", component: rt.kind.controllerName)
                } catch {
                    if error.isNotFound { continue }
                    rt.context.events.record(set.object, type: .warning, reason: "FailedDelete",
                                             message: "Error deleting: \(error)", component: rt.kind.controllerName)
                    throw error
                }
            }
        }
    }

    /// updateReplicaSetStatus: written through `replicasets/status` only when it changed; a
    /// conflict (the Deployment controller resized the set meanwhile) is retried on the set as
    /// stored, keeping the generation this sync acted on.
    static func writeStatus(_ status: ReplicaSetStatus, _ set: ReplicaSetView, _ rt: Runtime) throws -> ReplicaSetStatus {
        if status == ReplicaSetStatus(stored: set) { return status }
        let store = rt.context.client(rt.kind.resource)
        var object = set.object
        for attempt in 0..<statusUpdateAttempts {
            do {
                _ = try store.updateStatus(namespace: set.meta.namespace, name: set.meta.name,
                                     body: RequestBody(value: statusBody(status.json, of: object)), options: WriteOptions())
                return status
            } catch {
                if error.isNotFound { return status }
                guard error.isConflict, attempt + 1 < statusUpdateAttempts else { throw error }
                object = try store.get(namespace: set.meta.namespace, name: set.meta.name).object
            }
        }
        return status
    }

    /// The body of a status write: the set's identity, the version it answers to and the status
    /// (the status subresource keeps the rest as stored; the template would only be decoded to be dropped).
    static func statusBody(_ status: JSON, of set: JSON) -> JSON {
        let meta = set.meta
        return ["apiVersion": .string(set.typeMeta.apiVersion), "kind": .string(set.typeMeta.kind),
                "metadata": ["name": .string(meta.name), "namespace": .string(meta.namespace), "uid": .string(meta.uid),
                             "resourceVersion": .string(meta.resourceVersion)],
                "status": status]
    }

    /// Tries of a status write (upstream retries once; the sets' sizes change often in a rollout).
    static let statusUpdateAttempts = 3
}
