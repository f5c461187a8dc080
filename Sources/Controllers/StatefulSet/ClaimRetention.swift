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
    static func podReference(_ pod: JSON) -> JSON {
        ["apiVersion": "v1", "kind": "Pod", "name": .string(pod.metaName), "uid": .string(pod.metaUID),
         "controller": true, "blockOwnerDeletion": true]
    }

    /// matchesRef: same group/version, kind and name (whatever the uid).
    static func matchesSet(_ ref: JSON, _ set: StatefulSetObject) -> Bool {
        ref["apiVersion"]?.stringValue == "apps/v1" && ref["kind"]?.stringValue == "StatefulSet" && ref["name"]?.stringValue == set.name
    }

    static func matchesPod(_ ref: JSON, _ pod: JSON) -> Bool {
        ref["apiVersion"]?.stringValue == "v1" && ref["kind"]?.stringValue == "Pod" && ref["name"]?.stringValue == pod.metaName
    }

    static func hasOwnerRef(_ claim: JSON, uid: String) -> Bool {
        claim.ownerReferences.contains { $0["uid"]?.stringValue == uid }
    }

    /// A reference naming the set (or pod) but with another uid: left by a previous incarnation.
    static func hasStaleSetRef(_ claim: JSON, _ set: StatefulSetObject) -> Bool {
        guard let ref = claim.ownerReferences.first(where: { matchesSet($0, set) }) else { return false }
        return ref["uid"]?.stringValue != set.uid
    }

    static func hasStalePodRef(_ claim: JSON, _ pod: JSON) -> Bool {
        guard let ref = claim.ownerReferences.first(where: { matchesPod($0, pod) }) else { return false }
        return ref["uid"]?.stringValue != pod.metaUID
    }

    /// hasUnexpectedController: under a Delete policy, another controller (or a stale one of ours) owns the claim.
    static func hasUnexpectedController(_ claim: JSON, _ set: StatefulSetObject, _ pod: JSON) -> Bool {
        if set.whenScaled == .retain && set.whenDeleted == .retain { return false }
        for ref in claim.ownerReferences {
            if matchesSet(ref, set) {
                if ref["uid"]?.stringValue != set.uid { return true }
                continue
            }
            if matchesPod(ref, pod) {
                if ref["uid"]?.stringValue != pod.metaUID { return true }
                continue
            }
            if ref["controller"]?.boolValue == true { return true }
        }
        return false
    }

    static func hasNonControllerOwner(_ claim: JSON, _ set: StatefulSetObject, _ pod: JSON) -> Bool {
        claim.ownerReferences.contains { ref in
            let uid = ref["uid"]?.stringValue
            return (uid == set.uid || uid == pod.metaUID) && ref["controller"]?.boolValue != true
        }
    }

    /// isClaimOwnerUpToDate.
    static func isUpToDate(_ claim: JSON, _ set: StatefulSetObject, _ pod: JSON) -> Bool {
        if hasStaleSetRef(claim, set) || hasStalePodRef(claim, pod) { return true }
        if hasUnexpectedController(claim, set, pod) {
            return !(hasOwnerRef(claim, uid: set.uid) || hasOwnerRef(claim, uid: pod.metaUID))
        }
        if hasNonControllerOwner(claim, set, pod) { return false }
        let setRef = hasOwnerRef(claim, uid: set.uid)
        let podRef = hasOwnerRef(claim, uid: pod.metaUID)
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
        var refs = claim.ownerReferences.filter { !matchesSet($0, set) && !matchesPod($0, pod) }
        if !unexpected {
            let scaledDown = !set.inRange(StatefulPod.ordinal(pod))
            func add(_ ref: JSON) {
                if !refs.contains(where: { $0["uid"] == ref["uid"] }) { refs.append(ref) }
            }
            switch (set.whenScaled, set.whenDeleted) {
            case (.retain, .retain): break
            case (.retain, .delete): add(set.controllerReference)
            case (.delete, .retain): if scaledDown { add(podReference(pod)) }
            case (.delete, .delete): add(scaledDown ? podReference(pod) : set.controllerReference)
            }
        }
        claim[path: "metadata", "ownerReferences"] = refs.isEmpty ? nil : .array(refs)
    }
}
