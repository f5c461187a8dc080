import APIMachinery
import ControllerRuntime
import Registry

extension PersistentVolumeBinder {
    /// upstream's syncVolume: an unclaimed volume is Available; a volume whose claim is gone is
    /// Released and reclaimed; a volume whose claim is bound elsewhere is freed if the controller
    /// bound it.
    func syncVolume(_ volume: PersistentVolumeView, _ context: ControllerContext) throws(APIError) {
        let writer = VolumeWriter(context: context)
        guard volume.claimRef != nil, !volume.claimRefUID.isEmpty else {
            // Unused, or pre-bound by a user to a claim that the claim's sync will bind.
            if volume.phase != "Available" { try writer.setVolumePhase(volume.object, "Available") }
            return
        }
        guard let claim = currentClaim(of: volume, context), claim.meta.uid == volume.claimRefUID else {
            if volume.phase != "Released", volume.phase != "Failed" {
                let released = try writer.setVolumePhase(volume.object, "Released")
                try reclaim(PersistentVolumeView(released), context)
            } else if volume.phase == "Released" {
                try reclaim(volume, context)
            }
            return
        }
        if claim.volumeName.isEmpty {
            // Pre-bound by a provisioner or a user: the claim's sync completes the binding.
            return
        }
        if claim.volumeName == volume.meta.name {
            if volume.phase != "Bound" { try writer.setVolumePhase(volume.object, "Bound") }
            return
        }
        // The claim is bound to another volume; a binding this controller made is undone.
        if volume.meta.annotation(VolumeKeys.boundByController) != nil {
            var unbound = volume.object
            unbound[path: "spec", "claimRef"] = nil
            unbound.meta.setAnnotation(VolumeKeys.boundByController, nil)
            let stored = try writer.updateVolume(unbound)
            try writer.setVolumePhase(stored, "Available")
        } else {
            let released = try writer.setVolumePhase(volume.object, "Released")
            try reclaim(PersistentVolumeView(released), context)
        }
    }

    /// The claim a volume's claimRef names, from the cache or, when the cache has none, from
    /// storage: a claim created a moment ago must not make its volume Released.
    func currentClaim(of volume: PersistentVolumeView, _ context: ControllerContext) -> PersistentVolumeClaimView? {
        if let cached = context.informer(VolumeKeys.claims).get(namespace: volume.claimRefNamespace, name: volume.claimRefName) {
            return PersistentVolumeClaimView(cached)
        }
        let stored = try? context.client(VolumeKeys.claims).get(namespace: volume.claimRefNamespace, name: volume.claimRefName)
        return stored.map { PersistentVolumeClaimView($0.object) }
    }

    /// upstream's reclaimVolume: Retain keeps the Released volume for an administrator; Delete
    /// is carried out by the volume's provisioner (`SimulatedProvisioner`) when one serves it;
    /// a Delete volume nobody provisioned, or Recycle, fails as it does upstream without an
    /// in-tree plugin for the volume.
    func reclaim(_ volume: PersistentVolumeView, _ context: ControllerContext) throws(APIError) {
        switch volume.reclaimPolicy {
        case "Delete":
            if let provisioner = volume.provisionedBy, !provisioner.isEmpty { return }
            let message = "error getting deleter volume plugin for volume \"\(volume.meta.name)\": no deletable volume plugin matched"
            try VolumeWriter(context: context).setVolumePhase(volume.object, "Failed", message: message)
            record(context, volume.object, .warning, "VolumeFailedDelete", message)
        case "Recycle":
            let message = "No recycler plugin found for the volume!"
            try VolumeWriter(context: context).setVolumePhase(volume.object, "Failed", message: message)
            record(context, volume.object, .warning, "VolumeFailedRecycle", message)
        default:
            return
        }
    }
}
