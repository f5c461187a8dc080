import APIMachinery
import ControllerRuntime

/// persistentVolumeClaimRetentionPolicy as ownerReferences on claims (stateful_set_utils.go:
/// isClaimOwnerUpToDate, updateClaimOwnerRefForSetAndPod). The garbage collector does the deleting:
///
/// | whenScaled | whenDeleted | claim of a pod in range | claim of a condemned pod |
/// | Retain     | Retain      | no refs                 | no refs                  |
/// | Retain     | Delete      | ref to the set          | ref to the set           |
/// | Delete     | Retain      | no refs                 | ref to the pod           |
/// | Delete     | Delete      | ref to the set          | ref to the pod           |
enum ClaimRetention {
    static func podReference(_ pod: JSON) -> OwnerReferenceView {
        OwnerReferenceView(apiVersion: "v1", kind: "Pod", name: pod.meta.name, uid: pod.meta.uid, controller: true, blockOwnerDeletion: true)
    }

    /// matchesRef: same group/version, kind and name (whatever the uid).
    static func matchesSet(_ ref: OwnerReferenceView, _ set: StatefulSetObject) -> Bool {
        ref.apiVersion == "apps/v1" && ref.kind == "StatefulSet" && ref.name == set.name
    }

    static func matchesPod(_ ref: OwnerReferenceView, _ pod: JSON) -> Bool {
        ref.apiVersion == "v1" && ref.kind == "Pod" && ref.name == pod.meta.name
    }

    static func hasOwnerRef(_ claim: JSON, uid: String) -> Bool {
        claim.meta.ownerReferences.contains { $0.uid == uid }
    }

    /// A reference naming the set (or pod) but with another uid: left by a previous incarnation.
    static func hasStaleSetRef(_ claim: JSON, _ set: StatefulSetObject) -> Bool {
        guard let ref = claim.meta.ownerReferences.first(where: { matchesSet($0, set) }) else { return false }
        return ref.uid != set.uid
    }

    static func hasStalePodRef(_ claim: JSON, _ pod: JSON) -> Bool {
        guard let ref = claim.meta.ownerReferences.first(where: { matchesPod($0, pod) }) else { return false }
        return ref.uid != pod.meta.uid
    }

    /// hasUnexpectedController: under a Delete policy, another controller (or a stale one of ours) owns the claim.
    static func hasUnexpectedController(_ claim: JSON, _ set: StatefulSetObject, _ pod: JSON) -> Bool {
        if set.whenScaled == .retain && set.whenDeleted == .retain { return false }
        for ref in claim.meta.ownerReferences {
            if matchesSet(ref, set) {
                if ref.uid != set.uid { return true }
                continue
            }
            if matchesPod(ref, pod) {
                if ref.uid != pod.meta.uid { return true }
                continue
            }
            if ref.controller { return true }
        }
        return false
    }

    static func hasNonControllerOwner(_ claim: JSON, _ set: StatefulSetObject, _ pod: JSON) -> Bool {
        claim.meta.ownerReferences.contains { ref in
            let uid = ref.uid
            return (uid == set.uid || uid == pod.meta.uid) && !ref.controller
        }
    }

    /// isClaimOwnerUpToDate.
    static func isUpToDate(_ claim: JSON, _ set: StatefulSetObject, _ pod: JSON) -> Bool {
        if hasStaleSetRef(claim, set) || hasStalePodRef(claim, pod) { return true }
        if hasUnexpectedController(claim, set, pod) {
            return !(hasOwnerRef(claim, uid: set.uid) || hasOwnerRef(claim, uid: pod.meta.uid))
        }
        if hasNonControllerOwner(claim, set, pod) { return false }
        let setRef = hasOwnerRef(claim, uid: set.uid)
        let podRef = hasOwnerRef(claim, uid: pod.meta.uid)
        let scaledDown = !set.inRange(StatefulPod.ordinal(pod))
        switch (set.whenScaled, set.whenDeleted) {
        case (.retain, .retain): return !setRef && !podRef
        case (.retain, .delete): return setRef && !podRef
        case (.delete, .retain): return !setRef && scaledDown == podRef
        case (.delete, .delete): return scaledDown != setRef && scaledDown == podRef
        }
    }

    /// updateClaimOwnerRefForSetAndPod: scrub our references, then add those the policy asks for.
    static func updateOwnerRefs(_ claim: inout JSON, _ set: StatefulSetObject, _ pod: JSON) {
        let unexpected = hasUnexpectedController(claim, set, pod)
        var refs = claim.meta.ownerReferences.filter { !matchesSet($0, set) && !matchesPod($0, pod) }
        if !unexpected {
            let scaledDown = !set.inRange(StatefulPod.ordinal(pod))
            func add(_ ref: OwnerReferenceView) {
                if !refs.contains(where: { $0.uid == ref.uid }) { refs.append(ref) }
            }
            switch (set.whenScaled, set.whenDeleted) {
            case (.retain, .retain): break
            case (.retain, .delete): add(set.controllerReference)
            case (.delete, .retain): if scaledDown { add(podReference(pod)) }
            case (.delete, .delete): add(scaledDown ? podReference(pod) : set.controllerReference)
            }
        }
        claim.meta.ownerReferences = refs
    }
}
