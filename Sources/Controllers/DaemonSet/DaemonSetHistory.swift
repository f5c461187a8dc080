import APIMachinery
import ControllerRuntime
import Registry

/// A DaemonSet's ControllerRevisions (constructHistory, snapshot, cleanupHistory in
/// pkg/controller/daemon/update.go): each is the template as a patch, named `<set>-<hash>` and
/// labelled `controller-revision-hash`; the current one always has the highest number, so
/// `kubectl rollout history|undo ds` work.
struct DaemonSetHistory {
    let informer: Informer
    let store: ResourceClient

    /// controlledHistories: the revisions the set controls, after adopting those of its namespace
    /// that its selector matches and no controller owns (a set deleted with orphaning and made
    /// again keeps its history); oldest number first.
    func list(_ set: DaemonSetView) throws -> [JSON] {
        var owned = informer.owned(by: set.meta.uid).filter { $0.meta.controllerRef?.uid == set.meta.uid }
        for orphan in informer.uncontrolled(namespace: set.meta.namespace) where set.selector.matches(orphan.meta.labels) {
            var adopted = orphan
            adopted.meta.ownerReferences = orphan.meta.ownerReferences + [controllerReference(set)]
            do {
                owned.append(try store.update(namespace: set.meta.namespace, name: orphan.meta.name, body: RequestBody(value: adopted),
                                              options: WriteOptions()).object)
            } catch {
                // Gone or changed meanwhile: its own event brings the set back.
                if !error.isNotFound && !error.isConflict { throw error }
            }
        }
        return owned.sorted { ($0["revision"]?.intValue ?? 0, $0.meta.name) < ($1["revision"]?.intValue ?? 0, $1.meta.name) }
    }

    func controllerReference(_ set: DaemonSetView) -> OwnerReferenceView {
        OwnerReferenceView(apiVersion: "apps/v1", kind: "DaemonSet", name: set.meta.name, uid: set.meta.uid,
                           controller: true, blockOwnerDeletion: true)
    }

    /// The current revision's hash: the revision whose data is the set's template (renumbered to
    /// the top after a rollback), or a new one. A name taken by other data bumps the collision
    /// count (written by the caller with the status) and the sync is retried.
    func current(_ set: DaemonSetView, revisions: [JSON]) throws -> (hash: String, old: [JSON], collision: Bool) {
        let data = ControllerRevisionHash.patch(template: set.template)
        let old = revisions.filter { $0["data"] != data }
        let top = (old.compactMap { $0["revision"]?.intValue }.max() ?? 0) + 1
        if let existing = revisions.last(where: { $0["data"] == data }) {
            let hash = existing.meta.label(DaemonPods.hashLabel) ?? String(existing.meta.name.dropFirst(set.meta.name.count + 1))
            if (existing["revision"]?.intValue ?? 0) < top {
                var renumbered = existing
                renumbered["revision"] = .int(top)
                _ = try store.update(namespace: set.meta.namespace, name: existing.meta.name, body: RequestBody(value: renumbered),
                                     options: WriteOptions())
            }
            return (hash, old, false)
        }
        let hash = PodTemplateHash.compute(set.template, collisionCount: set.collisionCount)
        var labels = set.template[path: "metadata", "labels"]?.objectValue ?? [:]
        labels[DaemonPods.hashLabel] = .string(hash)
        var metadata: JSONObject = ["name": .string(ControllerRevisionHash.name(prefix: set.meta.name, hash: hash)),
                                    "namespace": .string(set.meta.namespace), "labels": .object(labels),
                                    "ownerReferences": [controllerReference(set).object]]
        if let annotations = set.object[path: "metadata", "annotations"], annotations != .null { metadata["annotations"] = annotations }
        let revision: JSON = ["apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": .object(metadata),
                              "data": data, "revision": .int(top)]
        do {
            _ = try store.create(namespace: set.meta.namespace, body: RequestBody(value: revision), options: WriteOptions())
        } catch {
            guard error.isAlreadyExists else { throw error }
            let taken = try store.get(namespace: set.meta.namespace, name: revision.meta.name).object
            if taken["data"] != data || taken.meta.controllerRef?.uid != set.meta.uid { return (hash, old, true) }
        }
        return (hash, old, false)
    }

    /// cleanupHistory: the oldest revisions beyond revisionHistoryLimit that no live pod runs.
    func cleanup(_ set: DaemonSetView, old: [JSON], pods: [JSON]) throws {
        var toKill = old.count - set.revisionHistoryLimit
        guard toKill > 0 else { return }
        let live = Set(pods.compactMap { $0.meta.label(DaemonPods.hashLabel) })
        for revision in old where toKill > 0 {
            if let hash = revision.meta.label(DaemonPods.hashLabel), live.contains(hash) { continue }
            do {
                _ = try store.delete(namespace: set.meta.namespace, name: revision.meta.name, options: DeleteOptions())
            } catch {
                if !error.isNotFound { throw error }
            }
            toKill -= 1
        }
    }
}
