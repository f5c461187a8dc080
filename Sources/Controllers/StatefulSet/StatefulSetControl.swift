import APIMachinery
import ControllerRuntime
import Foundation
import Registry

/// The StatefulSet control loop of stateful_set_control.go: resolve the current and update
/// revisions, bring pods to the set's spec, write status, and trim revision history.
struct StatefulSetControl: Sendable {
    let podControl: StatefulPodControl
    let history: StatefulSetHistory
    let sets: ResourceClient
    let timers: any Timers

    /// UpdateStatefulSet: returns the status it computed (nil when revisions could not be resolved).
    /// History is truncated whether or not the update failed, as upstream.
    @discardableResult
    func sync(_ set: StatefulSetObject, pods: [JSON]) throws -> StatefulSetStatus? {
        let revisions = history.list(set)
        var current: StatefulSetHistory.Revision?
        var update: StatefulSetHistory.Revision?
        var status: StatefulSetStatus?
        var failure: Error?
        do {
            let resolved = try resolveRevisions(set, revisions)
            current = resolved.current
            update = resolved.update
            let outcome = updateStatefulSet(set, current: resolved.current, update: resolved.update,
                                            collisionCount: resolved.collisionCount, pods: pods)
            status = outcome.status
            do {
                try writeStatus(set, outcome.status)
            } catch {
                if outcome.error == nil { failure = error }
            }
            if let error = outcome.error { failure = error }
        } catch {
            failure = error
        }
        do {
            try history.truncate(set, pods: pods, revisions: revisions, current: current?.name, update: update?.name)
        } catch {
            if failure == nil { failure = error }
        }
        if let failure { throw failure }
        return status
    }

    /// getStatefulSetRevisions: the update revision is the set's template as a revision: the latest
    /// revision when equal, an older equal one renumbered (a rollback), or a newly created one.
    /// The current revision is `status.currentRevision`, or the update revision on first sync.
    func resolveRevisions(_ set: StatefulSetObject, _ revisions: [StatefulSetHistory.Revision]) throws
        -> (current: StatefulSetHistory.Revision, update: StatefulSetHistory.Revision, collisionCount: Int32)
    {
        var collisionCount = set.collisionCount
        let next = (revisions.last?.number ?? 0) + 1
        var update = history.newRevision(set, number: next, collisionCount: collisionCount)
        let equal = revisions.filter { StatefulSetHistory.equal($0, update) }
        if let latestEqual = equal.last, let last = revisions.last, StatefulSetHistory.equal(last, latestEqual) {
            update = last
        } else if let latestEqual = equal.last {
            update = try history.renumber(latestEqual, to: update.number)
        } else {
            update = try history.create(set, update, collisionCount: &collisionCount)
        }
        let current = revisions.first { $0.name == set.currentRevision } ?? update
        return (current, update, collisionCount)
    }

    /// ApplyRevision: the set with the revision's template. The set's own template is kept when it is
    /// what the revision records, so pods keep the template's field order.
    func apply(_ revision: StatefulSetHistory.Revision, to set: StatefulSetObject) -> StatefulSetObject {
        if revision.data == ControllerRevisionHash.patch(template: set.template) { return set }
        guard let template = ControllerRevisionHash.template(fromPatch: revision.data) else { return set }
        return set.withTemplate(template)
    }

    /// updateStatefulSetStatus with the status updater's retry on conflict.
    func writeStatus(_ set: StatefulSetObject, _ computed: StatefulSetStatus) throws {
        var status = computed
        status.completeRollingUpdate(set)
        guard status.differs(from: StatefulSetStatus(set.status)) else { return }
        var latest: JSON? = set.object
        try retryOnConflict(.cachedCopyRetry) { () throws(APIError) in
            var object = if let latest { latest } else { try sets.get(namespace: set.namespace, name: set.name).object }
            latest = nil  // a conflict means the copy is stale: the next attempt reads it afresh
            object["status"] = status.json
            _ = try sets.updateStatus(namespace: set.namespace, name: set.name, body: RequestBody(value: object),
                                                   options: WriteOptions())
        }
    }
}
