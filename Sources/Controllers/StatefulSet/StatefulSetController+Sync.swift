import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension StatefulSetController {
    /// sync: the set from the cache (gone means nothing to do), nothing while the pod and claim
    /// caches lag this controller's own writes for the set, orphaned revisions adopted, its pods
    /// claimed (adopting orphans that match, releasing owned pods that no longer do), then the
    /// control loop; with minReadySeconds, look again once pods may have become available.
    static func sync(_ key: String, _ rt: Runtime) throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let json = rt.sets.get(namespace: parts[0], name: parts[1]) else {
            rt.writes.forget(key)
            return
        }
        if let lag = rt.writes.staleness(key, pods: rt.pods, claims: rt.claims) { throw StatefulSetCacheLag(description: lag) }
        let set = StatefulSetObject(json)
        if set.selector.matchesNothing { return }
        try adoptOrphanRevisions(set, rt)
        let pods = try claimPods(set, rt)
        let status = try rt.control.sync(set, pods: pods)
        if set.minReadySeconds > 0, let status, status.availableReplicas != set.replicas {
            rt.queue.addAfter(key, .seconds(set.minReadySeconds))
        }
    }

    /// The set as stored now, if it is still the same set and not being deleted (RecheckDeletionTimestamp).
    static func canAdopt(_ set: StatefulSetObject, _ rt: Runtime) throws -> Bool {
        let fresh = try rt.context.client(statefulSets).get(namespace: set.namespace, name: set.name).object
        if fresh.meta.uid != set.uid {
            throw StatefulSetSyncError("original StatefulSet \(set.namespace)/\(set.name) is gone: got uid \(fresh.meta.uid), wanted \(set.uid)")
        }
        return !fresh.meta.isBeingDeleted
    }

    static func adoptOrphanRevisions(_ set: StatefulSetObject, _ rt: Runtime) throws {
        let orphans = rt.control.history.list(set).filter { $0.json.meta.controllerRef == nil }
        guard !orphans.isEmpty, try canAdopt(set, rt) else { return }
        for revision in orphans { try rt.control.history.adopt(set, revision) }
    }

    /// ClaimPods with PodControllerRefManager semantics: a pod is the set's when its controller
    /// reference has the set's uid and it still matches (selector and `<set>-<ordinal>` name);
    /// orphans that match are adopted; owned pods that no longer match are released.
    static func claimPods(_ set: StatefulSetObject, _ rt: Runtime) throws -> [JSON] {
        let selector = set.selector
        let store = rt.context.client(pods)
        var claimed: [JSON] = []
        var adoptable: Bool?
        for pod in rt.pods.list(namespace: set.namespace) {
            let matches = selector.matches(pod.meta.labels) && StatefulPod.isMember(pod, of: set)
            if let ref = pod.meta.controllerRef {
                guard ref.uid == set.uid else { continue }
                if matches { claimed.append(pod); continue }
                if set.isBeingDeleted { continue }
                if let released = try release(pod, from: set, store) { rt.writes.wrotePod(set, released) }
                continue
            }
            guard matches, !set.isBeingDeleted, !pod.meta.isBeingDeleted else { continue }
            if adoptable == nil { adoptable = try canAdopt(set, rt) }
            guard adoptable == true else { continue }
            if let adopted = try adopt(pod, by: set, store) {
                rt.writes.wrotePod(set, adopted)
                claimed.append(adopted)
            }
        }
        return claimed
    }

    static func adopt(_ pod: JSON, by set: StatefulSetObject, _ store: ResourceClient) throws -> JSON? {
        var object = pod
        object.meta.ownerReferences = pod.meta.ownerReferences + [set.controllerReference]
        do {
            return try store.update(namespace: set.namespace, name: pod.meta.name, body: RequestBody(value: object), options: WriteOptions()).object
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
    }

    static func release(_ pod: JSON, from set: StatefulSetObject, _ store: ResourceClient) throws -> JSON? {
        var object = pod
        let refs = pod.meta.ownerReferences.filter { $0.uid != set.uid }
        object.meta.ownerReferences = refs
        do {
            return try store.update(namespace: set.namespace, name: pod.meta.name, body: RequestBody(value: object), options: WriteOptions()).object
        } catch {
            if !error.isNotFound && !error.isInvalid { throw error }
            return nil
        }
    }
}
