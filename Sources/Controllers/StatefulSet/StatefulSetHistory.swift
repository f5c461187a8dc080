import APIMachinery
import ControllerRuntime
import Foundation
import Registry

/// A StatefulSet's ControllerRevisions (pkg/controller/history's realHistory plus the revision
/// handling of stateful_set_control.go): listing from the informer, creating with collision
/// handling, re-numbering on rollback, adopting orphans, and truncating old history.
struct StatefulSetHistory: Sendable {
    let informer: Informer
    let store: ResourceClient

    /// A revision as read from the cache: its name, number and data.
    struct Revision: Sendable {
        var json: JSON
        var name: String { json.meta.name }
        var number: Int64 { json["revision"]?.intValue ?? 0 }
        var data: JSON { json["data"] ?? .null }
        var hashLabel: String? { json.meta.label(ControllerRevisionHash.hashLabel) }
    }

    /// ListControllerRevisions: revisions in the set's namespace matching its selector, owned by the
    /// set or by no controller; sorted by number, then creation time, then name.
    func list(_ set: StatefulSetObject) -> [Revision] {
        let selector = set.selector
        let owned = informer.list(namespace: set.namespace).filter { revision in
            guard selector.matches(revision.meta.labels) else { return false }
            guard let ref = revision.meta.controllerRef else { return true }
            return ref.uid == set.uid
        }
        return owned.map(Revision.init).sorted { a, b in
            if a.number != b.number { return a.number < b.number }
            let ta = a.json.meta.creationTimestamp ?? ""
            let tb = b.json.meta.creationTimestamp ?? ""
            if ta != tb { return ta < tb }
            return a.name < b.name
        }
    }

    /// newRevision: the set's template as a patch, labelled with the template's labels and the hash,
    /// annotated with the set's annotations, owned by the set.
    func newRevision(_ set: StatefulSetObject, number: Int64, collisionCount: Int32) -> Revision {
        let data = ControllerRevisionHash.patch(template: set.template)
        let hash = ControllerRevisionHash.hash(data: JSONWriter.encode(data), collisionCount: collisionCount)
        var labels = set.templateLabels
        labels[ControllerRevisionHash.hashLabel] = hash
        var meta = ObjectMetaView(["name": .string(ControllerRevisionHash.name(prefix: set.name, hash: hash)),
                                   "namespace": .string(set.namespace)])
        meta.labels = labels
        meta.annotations = set.object.meta.annotations
        meta.ownerReferences = [set.controllerReference]
        return Revision(json: ["apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta.object,
                               "data": data, "revision": .int(number)])
    }

    /// EqualRevision: hash labels, when both parse as int32, must agree; then the data must be equal.
    static func equal(_ a: Revision, _ b: Revision) -> Bool {
        if let ha = a.hashLabel.flatMap({ Int32($0) }), let hb = b.hashLabel.flatMap({ Int32($0) }), ha != hb { return false }
        return a.data == b.data
    }

    /// CreateControllerRevision: on a name collision with different data, bump the collision count
    /// and retry under the new hash; identical data means the revision already exists.
    func create(_ set: StatefulSetObject, _ revision: Revision, collisionCount: inout Int32) throws(APIError) -> Revision {
        var clone = revision.json
        let bytes = JSONWriter.encode(revision.data)
        while true {
            let hash = ControllerRevisionHash.hash(data: bytes, collisionCount: collisionCount)
            clone.meta.name = ControllerRevisionHash.name(prefix: set.name, hash: hash)
            do {
                let created = try store.create(namespace: set.namespace, body: RequestBody(value: clone), options: WriteOptions())
                return Revision(json: created.object)
            } catch {
                guard error.isAlreadyExists else { throw error }
                let existing = try store.get(namespace: set.namespace, name: clone.meta.name).object
                if existing["data"] == revision.data { return Revision(json: existing) }
                collisionCount += 1
            }
        }
    }

    /// UpdateControllerRevision: give an existing revision a new number (a rollback to it).
    func renumber(_ revision: Revision, to number: Int64) throws(APIError) -> Revision {
        if revision.number == number { return revision }
        var latest: JSON? = revision.json
        return try retryOnConflict(.cachedCopyRetry) { () throws(APIError) in
            var json = if let latest { latest } else { try store.get(namespace: revision.json.meta.namespace, name: revision.name).object }
            latest = nil  // a conflict means the copy is stale: the next attempt reads it afresh
            json["revision"] = .int(number)
            let updated = try store.update(namespace: json.meta.namespace, name: json.meta.name,
                                           body: RequestBody(value: json), options: WriteOptions())
            return Revision(json: updated.object)
        }
    }

    func delete(_ revision: Revision) throws(APIError) {
        do {
            _ = try store.delete(namespace: revision.json.meta.namespace, name: revision.name, options: DeleteOptions())
        } catch {
            if !error.isNotFound { throw error }
        }
    }

    /// AdoptControllerRevision: add the set as controller of a revision that has none.
    func adopt(_ set: StatefulSetObject, _ revision: Revision) throws(APIError) {
        var json = try store.get(namespace: set.namespace, name: revision.name).object
        guard json.meta.controllerRef == nil else { return }
        json.meta.ownerReferences = json.meta.ownerReferences + [set.controllerReference]
        _ = try store.update(namespace: set.namespace, name: revision.name, body: RequestBody(value: json), options: WriteOptions())
    }

    /// truncateHistory: delete the oldest revisions that no pod, nor the current or update revision,
    /// uses, until at most revisionHistoryLimit such revisions remain.
    func truncate(_ set: StatefulSetObject, pods: [JSON], revisions: [Revision], current: String?, update: String?) throws(APIError) {
        var live = Set(pods.map(StatefulPod.revision))
        if let current { live.insert(current) }
        if let update { live.insert(update) }
        let history = revisions.filter { !live.contains($0.name) }
        let limit = set.revisionHistoryLimit
        guard limit >= 0, history.count > limit else { return }
        for revision in history.prefix(history.count - limit) { try delete(revision) }
    }
}
