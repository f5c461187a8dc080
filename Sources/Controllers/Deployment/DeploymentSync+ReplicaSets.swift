import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension DeploymentSync {
    var replicaSetStore: ResourceClient { rt.context.client(DeploymentController.replicaSets) }

    /// getNewReplicaSet: the existing new set with its revision and annotations brought up to date,
    /// or (with `create`) a new one named `<deployment>-<hash>`; the deployment's revision
    /// annotation and Progressing condition follow.
    mutating func syncNewReplicaSet(create: Bool) throws -> ReplicaSetView? {
        let maxOldRevision = oldReplicaSets.map(DeploymentSpecMath.revision).max() ?? 0
        let newRevision = String(maxOldRevision + 1)
        if let existing = newReplicaSet {
            var object = existing.object
            let annotationsChanged = setNewReplicaSetAnnotations(&object, revision: newRevision, exists: true)
            if annotationsChanged || existing.minReadySeconds != d.minReadySeconds {
                object[path: "spec", "minReadySeconds"] = d.minReadySeconds == 0 ? nil : .int(Int64(d.minReadySeconds))
                let updated = ReplicaSetView(try replicaSetStore.update(namespace: namespace, name: existing.meta.name,
                                                                        body: RequestBody(value: object), options: WriteOptions()).object)
                replace(updated)
                return updated
            }
            var status = d.status
            var annotationChanged = setDeploymentRevision(existing.meta.annotation(DeploymentAnnotations.revision) ?? "")
            if hasProgressDeadline, DeploymentConditions.get(status, "Progressing") == nil {
                DeploymentConditions.set(&status, DeploymentConditions.make("Progressing", "True", "FoundNewReplicaSet",
                                                                             "Found new replica set \"\(existing.meta.name)\"", now: now))
                annotationChanged = true
            }
            if annotationChanged { try writeStatus(status) }
            return existing
        }
        guard create else { return nil }
        return try createNewReplicaSet(revision: newRevision)
    }

    mutating func createNewReplicaSet(revision: String) throws -> ReplicaSetView {
        var template = d.template
        let hash = PodTemplateHash.compute(template, collisionCount: d.status["collisionCount"].flatMap { $0.intValue }.map { Int32($0) })
        template[path: "metadata", "labels", PodTemplateHash.label] = .string(hash)
        var selector = d.selectorJSON ?? [:]
        selector[path: "matchLabels", PodTemplateHash.label] = .string(hash)
        let setName = "\(name)-\(hash)"
        var object: JSON = [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": [
                "name": .string(setName), "namespace": .string(namespace),
                "labels": template[path: "metadata", "labels"] ?? [:],
                "ownerReferences": [OwnerReferenceView(apiVersion: "apps/v1", kind: "Deployment", name: name, uid: d.meta.uid,
                                                       controller: true, blockOwnerDeletion: true).object],
            ],
            "spec": ["replicas": 0, "selector": selector, "template": template],
        ]
        if d.minReadySeconds != 0 { object[path: "spec", "minReadySeconds"] = .int(Int64(d.minReadySeconds)) }
        let replicas = newReplicaSetReplicas(current: 0)
        object[path: "spec", "replicas"] = .int(Int64(replicas))
        _ = setNewReplicaSetAnnotations(&object, revision: revision, exists: false)
        var status = d.status
        let created: ReplicaSetView
        do {
            created = ReplicaSetView(try replicaSetStore.create(namespace: namespace, body: RequestBody(value: object), options: WriteOptions()).object)
        } catch {
            if error.isAlreadyExists {
                // Ours already (a slow cache), or a hash collision: count it and try another name next sync.
                let found = try replicaSetStore.get(namespace: namespace, name: setName).object
                if found.meta.controllerRef?.uid == d.meta.uid, PodTemplateHash.equalIgnoringHash(d.template, ReplicaSetView(found).template) {
                    replace(ReplicaSetView(found))
                    return ReplicaSetView(found)
                }
                status["collisionCount"] = .int((status["collisionCount"]?.intValue ?? 0) + 1)
                try writeStatus(status)
                throw error
            }
            let message = "Failed to create new replica set \"\(setName)\": \(error)"
            if hasProgressDeadline {
                DeploymentConditions.set(&status, DeploymentConditions.make("Progressing", "False", "ReplicaSetCreateError", message, now: now))
                try? writeStatus(status)
            }
            event("ReplicaSetCreateError", message, type: .warning)
            throw error
        }
        replace(created)
        if replicas > 0 { event("ScalingReplicaSet", "Scaled up replica set \(setName) from 0 to \(replicas)") }
        _ = setDeploymentRevision(revision)
        if hasProgressDeadline {
            DeploymentConditions.set(&status, DeploymentConditions.make("Progressing", "True", "NewReplicaSetCreated",
                                                                         "Created new replica set \"\(setName)\"", now: now))
        }
        try writeStatus(status)
        return created
    }

    /// NewRSNewReplicas: Recreate wants everything at once; RollingUpdate grows the new set up to
    /// the surge allowance above the desired count.
    func newReplicaSetReplicas(current: Int) -> Int {
        guard DeploymentSpecMath.isRollingUpdate(d) else { return d.replicas }
        let maxTotal = d.replicas + DeploymentSpecMath.maxSurge(d)
        let others = DeploymentSpecMath.specReplicas(sets.filter { $0.meta.name != newReplicaSet?.meta.name })
        let currentTotal = others + current
        if currentTotal >= maxTotal { return current }
        return current + min(maxTotal - currentTotal, d.replicas - current)
    }

    /// SetNewReplicaSetAnnotations: the deployment's annotations copied (but the skipped ones), the
    /// revision raised to `revision` (keeping the replaced one in revision-history on a rollback),
    /// and for a set about to be created the replica annotations.
    func setNewReplicaSetAnnotations(_ object: inout JSON, revision: String, exists: Bool) -> Bool {
        var meta = object.meta
        var changed = false
        for (key, value) in d.meta.annotations.sorted(by: { $0.key < $1.key }) where !DeploymentAnnotations.skipped.contains(key) {
            if meta.annotation(key) == value { continue }
            meta.setAnnotation(key, value)
            changed = true
        }
        let oldRevision = meta.annotation(DeploymentAnnotations.revision)
        let oldValue: Int64
        if let oldRevision, !oldRevision.isEmpty {
            guard let parsed = Int64(oldRevision) else { object.meta = meta; return false }
            oldValue = parsed
        } else {
            oldValue = 0
        }
        let newValue = Int64(revision) ?? 0
        if oldValue < newValue {
            meta.setAnnotation(DeploymentAnnotations.revision, revision)
            changed = true
            if let oldRevision {
                let history = meta.annotation(DeploymentAnnotations.revisionHistory) ?? ""
                if history.isEmpty {
                    meta.setAnnotation(DeploymentAnnotations.revisionHistory, oldRevision)
                } else {
                    var revisions = history.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    var total = history.count + oldRevision.count + 1
                    var start = 0
                    while total > DeploymentAnnotations.maxRevisionHistoryLength && start < revisions.count {
                        total -= revisions[start].count + 1
                        start += 1
                    }
                    if total <= DeploymentAnnotations.maxRevisionHistoryLength {
                        revisions = Array(revisions[start...]) + [oldRevision]
                        meta.setAnnotation(DeploymentAnnotations.revisionHistory, revisions.joined(separator: ","))
                    }
                }
            }
        }
        object.meta = meta
        if !exists, setReplicasAnnotations(&object) { changed = true }
        return changed
    }

    /// SetReplicasAnnotations: desired-replicas and max-replicas (desired plus surge) on a set.
    func setReplicasAnnotations(_ object: inout JSON) -> Bool {
        let desired = String(d.replicas)
        let maximum = String(d.replicas + DeploymentSpecMath.maxSurge(d))
        var meta = object.meta
        if meta.annotation(DeploymentAnnotations.desiredReplicas) == desired, meta.annotation(DeploymentAnnotations.maxReplicas) == maximum {
            return false
        }
        meta.setAnnotation(DeploymentAnnotations.desiredReplicas, desired)
        meta.setAnnotation(DeploymentAnnotations.maxReplicas, maximum)
        object.meta = meta
        return true
    }

    /// SetDeploymentRevision: the deployment's own revision annotation (written with its status).
    mutating func setDeploymentRevision(_ revision: String) -> Bool {
        if d.meta.annotation(DeploymentAnnotations.revision) == revision { return false }
        var object = d.object
        object.meta.setAnnotation(DeploymentAnnotations.revision, revision)
        d = DeploymentView(object)
        return true
    }

    /// scaleReplicaSetAndRecordEvent.
    @discardableResult
    mutating func scale(_ set: ReplicaSetView, to replicas: Int) throws -> Bool {
        if set.replicas == replicas { return false }
        return try scale(set, to: replicas, operation: set.replicas < replicas ? "up" : "down")
    }

    /// scaleReplicaSet: size and replica annotations in one update; an event when the size moved.
    @discardableResult
    mutating func scale(_ set: ReplicaSetView, to replicas: Int, operation: String) throws -> Bool {
        var object = set.object
        let annotationsChanged = setReplicasAnnotations(&object)
        let sizeChanged = set.replicas != replicas
        guard sizeChanged || annotationsChanged else { return false }
        object[path: "spec", "replicas"] = .int(Int64(replicas))
        let updated = ReplicaSetView(try updateSpec(object))
        replace(updated)
        if sizeChanged {
            let verb = operation == "up" ? "Scaled up" : "Scaled down"
            event("ScalingReplicaSet", "\(verb) replica set \(set.meta.name) from \(set.replicas) to \(replicas)")
        }
        return sizeChanged
    }

    /// Writes a set's spec and annotations; a conflict with the ReplicaSet controller's status
    /// write (the usual one during a rollout) is retried once on the set as stored, with the same
    /// size and annotations.
    func updateSpec(_ object: JSON) throws -> JSON {
        do {
            return try replicaSetStore.update(namespace: namespace, name: object.meta.name, body: RequestBody(value: object),
                                              options: WriteOptions()).object
        } catch {
            guard error.isConflict else { throw error }
            var fresh = try replicaSetStore.get(namespace: namespace, name: object.meta.name).object
            guard fresh.meta.uid == object.meta.uid else { throw error }
            fresh["spec"] = object["spec"]
            fresh.meta.setAnnotations(object.meta.orderedAnnotations)
            return try replicaSetStore.update(namespace: namespace, name: object.meta.name, body: RequestBody(value: fresh),
                                              options: WriteOptions()).object
        }
    }

    /// cleanupDeployment: old sets beyond revisionHistoryLimit, oldest revision first, deleted once
    /// they are scaled to zero and settled.
    mutating func cleanup() throws {
        guard let limit = d.revisionHistoryLimit else { return }
        let cleanable = oldReplicaSets.filter { !$0.meta.isBeingDeleted }
        let surplus = cleanable.count - limit
        guard surplus > 0 else { return }
        let byRevision = cleanable.sorted {
            let (a, b) = (DeploymentSpecMath.revision($0), DeploymentSpecMath.revision($1))
            return a == b ? ($0.meta.creationTimestamp ?? "") < ($1.meta.creationTimestamp ?? "") : a < b
        }
        for set in byRevision.prefix(surplus) {
            if set.statusReplicas != 0 || set.replicas != 0 || set.meta.generation > set.observedGeneration { continue }
            do {
                switch try replicaSetStore.delete(namespace: namespace, name: set.meta.name, options: DeleteOptions()) {
                case .deleted(let object), .marked(let object): rt.writes.wrote(key, object)
                }
            } catch {
                if !error.isNotFound { throw error }
            }
            sets.removeAll { $0.meta.name == set.meta.name }
        }
    }
}
