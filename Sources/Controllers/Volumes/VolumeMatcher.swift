import APIMachinery
import ControllerRuntime

/// Upstream's FindMatchingVolume as the PV controller calls it through its access-mode index:
/// a volume pre-bound to the claim wins; otherwise the smallest Available volume of the claim's
/// class whose capacity covers the request, whose volume mode is the claim's, whose labels match
/// the claim's selector and whose access modes include the claim's, preferring volumes offering
/// the fewest access modes.
enum VolumeMatcher {
    /// - Parameter delayBinding: the claim's class waits for a first consumer and no node has been
    ///   selected yet: only a volume pre-bound to the claim may be used.
    static func bestMatch(for claim: PersistentVolumeClaimView, among volumes: [PersistentVolumeView],
                          delayBinding: Bool) -> PersistentVolumeView? {
        let requested = claim.requestedStorage ?? Quantity(0)
        let selector = claim.selector.map { LabelSelector(json: $0) }
        let wantedModes = Set(claim.accessModes)
        var best: (volume: PersistentVolumeView, modes: Int, size: Quantity)?
        for volume in volumes {
            if volume.claimRef != nil, !volume.isBound(to: claim) { continue }
            guard let size = volume.capacity, size >= requested else { continue }
            if volume.volumeMode != claim.volumeMode || volume.meta.isBeingDeleted { continue }
            let modes = Set(volume.accessModes)
            if !wantedModes.isSubset(of: modes) { continue }
            if volume.isBound(to: claim) { return volume }
            if delayBinding || volume.phase != "Available" { continue }
            if let selector, !selector.matches(volume.meta.labels) { continue }
            if volume.storageClassName != claim.storageClassName { continue }
            if let current = best, (current.modes, current.size) <= (modes.count, size) { continue }
            best = (volume, modes.count, size)
        }
        return best?.volume
    }

    /// Upstream's checkVolumeSatisfyClaim, for a claim that names its volume: the volume must be
    /// large enough, of the claim's class, mode and access modes.
    static func mismatch(_ volume: PersistentVolumeView, _ claim: PersistentVolumeClaimView) -> String? {
        let requested = claim.requestedStorage ?? Quantity(0)
        if let size = volume.capacity, size < requested { return "requested PV is too small" }
        if volume.storageClassName != claim.storageClassName { return "storageClassName does not match" }
        if volume.volumeMode != claim.volumeMode { return "incompatible volumeMode" }
        if !Set(claim.accessModes).isSubset(of: Set(volume.accessModes)) { return "incompatible accessMode" }
        return nil
    }
}
