import APIMachinery
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
                      store: ResourceStore, canAdopt: () throws -> Bool, wrote: (JSON) -> Void) throws -> [PodFacts] {
        let uid = owner.meta.uid
        let ownerDeleting = owner.meta.isBeingDeleted
        var claimed: [PodFacts] = []
        var adoptable: Bool?
        var seen = Set<String>()
        for (pod, pf) in zip(pods, facts.facts(pods)) where seen.insert(pf.name).inserted {
            let matches = selector.matches(pf.labels)
            if let controller = pf.controllerUID {
                guard controller == uid else { continue }
                if matches { claimed.append(pf); continue }
                if ownerDeleting { continue }
                if let released = try rewrite(pod, store, refs: pod.meta.ownerReferences.filter { $0.uid != uid }) { wrote(released) }
                continue
            }
            guard matches, !ownerDeleting, pf.active else { continue }
            if adoptable == nil { adoptable = try canAdopt() }
            guard adoptable == true else { continue }
            let reference = OwnerReferenceView(apiVersion: kind.apiVersion, kind: kind.kind, name: owner.meta.name, uid: uid,
                                               controller: true, blockOwnerDeletion: true)
            if let adopted = try rewrite(pod, store, refs: pod.meta.ownerReferences + [reference]) {
                wrote(adopted)
                claimed.append(facts.facts(adopted))
            }
        }
        return claimed
    }

    /// The pod with `refs` as its owner references; nil when it is gone (or no longer valid).
    static func rewrite(_ pod: JSON, _ store: ResourceStore, refs: [OwnerReferenceView]) throws -> JSON? {
        var object = pod
        object.meta.ownerReferences = refs
        do {
            return try store.update(namespace: pod.meta.namespace, name: pod.meta.name, body: RequestBody(value: object),
                                    options: WriteOptions()).object
        } catch {
            if error.isNotFound || error.isInvalid { return nil }
            throw error
        }
    }
}
