import APIMachinery
import ControllerRuntime
import Registry

/// ClaimPods with PodControllerRefManager semantics, for controllers that own pods by selector:
/// a pod is the owner's when its controller reference has the owner's uid and it still matches;
/// orphans that match are adopted; owned pods that no longer match are released.
enum PodClaim {
    /// A pod listed twice (owned without being controlled, and uncontrolled) counts once.
    /// - Parameters:
    ///   - facts: where each pod's labels and controller are read (once per pod version).
    ///   - canAdopt: asked once, before the first adoption (RecheckDeletionTimestamp).
    ///   - wrote: told of every pod written, for the cache-lag check.
    static func claim(_ pods: [JSON], facts: PodFactsCache, owner: JSON, kind: OwnerKind, selector: LabelSelector,
                      store: ResourceClient, canAdopt: () throws -> Bool, wrote: (JSON) -> Void) throws -> [PodFacts] {
        let uid = owner.meta.uid
        var controlled: [PodFacts] = [], uncontrolled: [PodFacts] = []
        var seen = Set<String>()
        for pf in facts.facts(pods) where seen.insert(pf.name).inserted {
            if let controller = pf.controllerUID {
                if controller == uid { controlled.append(pf) }
            } else {
                uncontrolled.append(pf)
            }
        }
        return try claim(controlled: controlled, uncontrolled: uncontrolled, owner: owner, kind: kind, selector: selector,
                         store: store, canAdopt: canAdopt, wrote: wrote)
    }

    /// The claim over pods already split: `controlled` are those whose controller is the owner,
    /// `uncontrolled` those without a controller (the candidates for adoption).
    static func claim(controlled: [PodFacts], uncontrolled: [PodFacts], owner: JSON, kind: OwnerKind, selector: LabelSelector,
                      store: ResourceClient, canAdopt: () throws -> Bool, wrote: (JSON) -> Void) throws -> [PodFacts] {
        let uid = owner.meta.uid
        let ownerDeleting = owner.meta.isBeingDeleted
        var claimed: [PodFacts] = []
        claimed.reserveCapacity(controlled.count)
        for pf in controlled {
            if selector.matches(pf.labels) { claimed.append(pf); continue }
            if ownerDeleting { continue }
            let pod = pf.pod
            if let released = try rewrite(pod, store, refs: pod.meta.ownerReferences.filter { $0.uid != uid }) { wrote(released) }
        }
        var adoptable: Bool?
        for pf in uncontrolled {
            guard selector.matches(pf.labels), !ownerDeleting, pf.active else { continue }
            if adoptable == nil { adoptable = try canAdopt() }
            guard adoptable == true else { continue }
            let pod = pf.pod
            let reference = OwnerReferenceView(apiVersion: kind.apiVersion, kind: kind.kind, name: owner.meta.name, uid: uid,
                                               controller: true, blockOwnerDeletion: true)
            if let adopted = try rewrite(pod, store, refs: pod.meta.ownerReferences + [reference]) {
                wrote(adopted)
                claimed.append(PodFacts(adopted))
            }
        }
        return claimed
    }

    /// The pod with `refs` as its owner references; nil when it is gone (or no longer valid).
    static func rewrite(_ pod: JSON, _ store: ResourceClient, refs: [OwnerReferenceView]) throws -> JSON? {
        do {
            return try store.patch(namespace: pod.meta.namespace, name: pod.meta.name, type: .merge,
                                   patch: RequestBody(value: ownersPatch(pod, refs: refs))).object
        } catch {
            if error.isNotFound || error.isInvalid { return nil }
            throw error
        }
    }

    /// A merge patch setting the pod's owner references (and finalizers, when given), as upstream's
    /// PodControllerRefManager patches them (`patch` is what the controllers' roles grant on pods),
    /// guarded by the pod's uid and resourceVersion: a pod changed or replaced meanwhile is not
    /// rewritten from a stale view (409 or 422).
    public static func ownersPatch(_ pod: JSON, refs: [OwnerReferenceView], finalizers: [String]? = nil) -> JSON {
        var metadata: JSONObject = [
            "ownerReferences": refs.isEmpty ? .null : .array(refs.map(\.object)),
            "uid": .string(pod.meta.uid), "resourceVersion": .string(pod.meta.resourceVersion),
        ]
        if let finalizers { metadata["finalizers"] = finalizers.isEmpty ? .null : .array(finalizers.map(JSON.string)) }
        return ["metadata": .object(metadata)]
    }
}
