import APIMachinery
import ControllerRuntime
import Foundation
import Registry

/// An error of a StatefulSet sync: an API error or upstream's aggregated text.
struct StatefulSetSyncError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
    /// utilerrors.NewAggregate's text: one error alone, several in brackets.
    init?(aggregating errors: [String]) {
        if errors.isEmpty { return nil }
        description = errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]"
    }
}

/// The pod or claim cache has not yet seen this controller's own latest write for the set
/// (upstream's "read version ... is not as new as written version"): the write's watch event
/// brings the set back, so the wait is logged at debug only.
struct StatefulSetCacheLag: ExpectedRequeue, CustomStringConvertible {
    var description: String
}

/// Writes pods and claims for the StatefulSet controller and records the events upstream's
/// StatefulPodControl records (`SuccessfulCreate` "create Pod web-0 in StatefulSet web successful",
/// `FailedCreate` "... failed error: ...", claims "create Claim ... Pod ... in StatefulSet ... success").
struct StatefulPodControl: Sendable {
    let pods: ResourceClient
    let claims: ResourceClient
    let claimCache: Informer
    let events: EventRecorder
    /// Where the revisions of this controller's writes are kept for the next sync's cache check.
    let writes: StatefulSetWrites
    static let component = "statefulset-controller"

    /// CreateStatefulPod: claims first, then the pod, then the claims' retention references.
    /// An AlreadyExists answer for the pod is returned without an event.
    @discardableResult
    func createPod(_ set: StatefulSetObject, _ pod: JSON) throws -> JSON {
        do {
            try createClaims(set, pod)
        } catch {
            recordPodEvent("create", set, pod, error)
            throw error
        }
        let created: JSON
        do {
            created = try pods.create(namespace: set.namespace, body: RequestBody(value: pod), options: WriteOptions()).object
            writes.wrotePod(set, created)
        } catch {
            if !error.isAlreadyExists { recordPodEvent("create", set, pod, error) }
            throw error
        }
        do {
            try updateClaimsForRetentionPolicy(set, created)
        } catch {
            recordPodEvent("update", set, created, error)
            throw error
        }
        recordPodEvent("create", set, created, nil)
        return created
    }

    /// UpdateStatefulPod: restore identity and storage (creating missing claims) and retention
    /// references; writes only when something changed, retrying conflicts on a fresh copy (or the
    /// same one when it cannot be read, as upstream does).
    func updatePod(_ set: StatefulSetObject, _ original: JSON) throws {
        var pod = original
        var attempted = false
        do {
            try retryOnConflict(.cachedCopyRetry) {
                var consistent = true
                if !StatefulSetPodIdentity.identityMatches(set, pod) {
                    StatefulSetPodIdentity.updateIdentity(set, &pod)
                    consistent = false
                }
                if !StatefulSetPodIdentity.storageMatches(set, pod) {
                    StatefulSetPodIdentity.updateStorage(set, &pod)
                    consistent = false
                    do { try createClaims(set, pod) } catch { recordPodEvent("update", set, pod, error); throw error }
                }
                do {
                    if try !claimsMatchRetentionPolicy(set, pod) {
                        try updateClaimsForRetentionPolicy(set, pod)
                        consistent = false
                    }
                } catch { recordPodEvent("update", set, pod, error); throw error }
                // A fresh copy that needs nothing was fixed by another writer: no event for it.
                if consistent { attempted = false; return }
                attempted = true
                do {
                    let updated = try pods.update(namespace: set.namespace, name: pod.meta.name, body: RequestBody(value: pod), options: WriteOptions())
                    writes.wrotePod(set, updated.object)
                } catch {
                    if error.isConflict, let fresh = try? pods.get(namespace: set.namespace, name: pod.meta.name) { pod = fresh.object }
                    throw error
                }
            }
        } catch {
            if attempted { recordPodEvent("update", set, pod, error) }
            throw error
        }
        if attempted { recordPodEvent("update", set, pod, nil) }
    }

    /// DeleteStatefulPod.
    func deletePod(_ set: StatefulSetObject, _ pod: JSON) throws {
        do {
            var options = DeleteOptions()
            options.preconditionUID = pod.meta.uid.isEmpty ? nil : pod.meta.uid
            switch try pods.delete(namespace: set.namespace, name: pod.meta.name, options: options) {
            case .deleted(let tombstone): writes.wrotePod(set, tombstone)
            case .marked(let terminating): writes.wrotePod(set, terminating)
            }
            recordPodEvent("delete", set, pod, nil)
        } catch {
            recordPodEvent("delete", set, pod, error)
            throw error
        }
    }

    /// createPersistentVolumeClaims: creates each missing claim, never replacing an existing one;
    /// a claim being deleted is an error, so the pod waits for it to go.
    func createClaims(_ set: StatefulSetObject, _ pod: JSON) throws {
        var errors: [String] = []
        for (_, claim) in StatefulSetPodIdentity.claims(set, ordinal: StatefulPod.ordinal(pod)) {
            if let existing = claimCache.get(namespace: set.namespace, name: claim.meta.name) {
                if existing.meta.isBeingDeleted { errors.append("pvc \(claim.meta.name) is being deleted") }
                continue
            }
            do {
                let created = try claims.create(namespace: set.namespace, body: RequestBody(value: claim), options: WriteOptions())
                writes.wroteClaim(set, created.object)
                recordClaimEvent("create", set, pod, claim, nil)
            } catch {
                errors.append("failed to create PVC \(claim.meta.name): \(error.message)")
                if !error.isAlreadyExists { recordClaimEvent("create", set, pod, claim, error) }
            }
        }
        if let error = StatefulSetSyncError(aggregating: errors) { throw error }
    }

    /// ClaimsMatchRetentionPolicy: missing claims are picked up on a later sync.
    func claimsMatchRetentionPolicy(_ set: StatefulSetObject, _ pod: JSON) throws -> Bool {
        let ordinal = StatefulPod.ordinal(pod)
        for template in set.claimTemplates {
            guard let claim = claimCache.get(namespace: set.namespace, name: set.claimName(template, ordinal: ordinal)) else { continue }
            if !ClaimRetention.isUpToDate(claim, set, pod) { return false }
        }
        return true
    }

    /// UpdatePodClaimForRetentionPolicy.
    func updateClaimsForRetentionPolicy(_ set: StatefulSetObject, _ pod: JSON) throws {
        let ordinal = StatefulPod.ordinal(pod)
        for template in set.claimTemplates {
            let name = set.claimName(template, ordinal: ordinal)
            guard var claim = claimCache.get(namespace: set.namespace, name: name) ?? (try? claims.get(namespace: set.namespace, name: name))?.object
            else { continue }
            if ClaimRetention.hasUnexpectedController(claim, set, pod) {
                events.record(set.object, type: .warning, reason: "ConflictingController",
                              message: "PersistentVolumeClaim \(name) has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim",
                              component: Self.component)
            }
            guard !ClaimRetention.isUpToDate(claim, set, pod) else { continue }
            ClaimRetention.updateOwnerRefs(&claim, set, pod)
            claim.meta.removeResourceVersion()
            do {
                let updated = try claims.update(namespace: set.namespace, name: name, body: RequestBody(value: claim), options: WriteOptions())
                writes.wroteClaim(set, updated.object)
            } catch {
                throw StatefulSetSyncError("could not update claim \(name) for delete policy ownerRefs: \(error.message)")
            }
        }
    }

    /// PodClaimIsStale: under whenScaled=Delete, a claim still owned by a previous pod of the same
    /// name blocks creation until the garbage collector removes it.
    func podClaimIsStale(_ set: StatefulSetObject, _ pod: JSON) -> Bool {
        guard set.whenScaled == .delete else { return false }
        for (_, claim) in StatefulSetPodIdentity.claims(set, ordinal: StatefulPod.ordinal(pod)) {
            if let existing = claimCache.get(namespace: set.namespace, name: claim.meta.name), ClaimRetention.hasStalePodRef(existing, pod) {
                return true
            }
        }
        return false
    }

    func recordPodEvent(_ verb: String, _ set: StatefulSetObject, _ pod: JSON, _ error: Error?) {
        if let error {
            events.record(set.object, type: .warning, reason: "Failed\(verb.capitalized)",
                          message: "\(verb) Pod \(pod.meta.name) in StatefulSet \(set.name) failed error: \(Self.text(error))", component: Self.component)
        } else {
            events.record(set.object, type: .normal, reason: "Successful\(verb.capitalized)",
                          message: "\(verb) Pod \(pod.meta.name) in StatefulSet \(set.name) successful", component: Self.component)
        }
    }

    func recordClaimEvent(_ verb: String, _ set: StatefulSetObject, _ pod: JSON, _ claim: JSON, _ error: Error?) {
        if let error {
            events.record(set.object, type: .warning, reason: "Failed\(verb.capitalized)",
                          message: "\(verb) Claim \(claim.meta.name) for Pod \(pod.meta.name) in StatefulSet \(set.name) failed error: \(Self.text(error))",
                          component: Self.component)
        } else {
            events.record(set.object, type: .normal, reason: "Successful\(verb.capitalized)",
                          message: "\(verb) Claim \(claim.meta.name) Pod \(pod.meta.name) in StatefulSet \(set.name) success",
                          component: Self.component)
        }
    }

    static func text(_ error: Error) -> String {
        if let api = error as? APIError { return api.message }
        return String(describing: error)
    }
}
