import APIMachinery
import ControllerRuntime
import Registry

extension PersistentVolumeBinder {
    /// upstream's syncClaim: claims not yet bound look for a volume; bound ones are checked.
    func syncClaim(_ claim: PersistentVolumeClaimView, _ context: ControllerContext) throws(APIError) {
        if claim.bindCompleted { try syncBoundClaim(claim, context) } else { try syncUnboundClaim(claim, context) }
    }

    func syncUnboundClaim(_ claim: PersistentVolumeClaimView, _ context: ControllerContext) throws(APIError) {
        let volumes = context.informer(VolumeKeys.volumes).list().map(PersistentVolumeView.init)
        if !claim.volumeName.isEmpty {
            try syncPreboundClaim(claim, volumes, context)
            return
        }
        let delayBinding = shouldDelayBinding(claim, context)
        if let volume = VolumeMatcher.bestMatch(for: claim, among: volumes, delayBinding: delayBinding) {
            try bind(volume, claim, context)
            return
        }
        if claim.hasNoClass, let name = PersistentVolumeClaimAdmission.defaultClassName(context.registry) {
            // Retroactive default StorageClass assignment (GA in 1.28).
            var updated = claim.object
            updated[path: "spec", "storageClassName"] = .string(name)
            try VolumeWriter(context: context).updateClaim(updated)
            return
        }
        if delayBinding {
            if try selectNodeOfScheduledConsumer(claim, context) { return }
            recordWaitingForConsumer(claim, context)
        } else if !claim.storageClassName.isEmpty {
            try provisionClaim(claim, context)
        } else {
            record(context, claim.object, .normal, "FailedBinding", "no persistent volumes available for this claim and no storage class is set")
        }
    }

    /// A claim naming its volume (`spec.volumeName`) is bound to it once the volume is free (or
    /// already points back at the claim) and satisfies it.
    func syncPreboundClaim(_ claim: PersistentVolumeClaimView, _ volumes: [PersistentVolumeView], _ context: ControllerContext) throws(APIError) {
        guard let volume = volumes.first(where: { $0.meta.name == claim.volumeName }) else { return }
        if volume.claimRef == nil || volume.isBound(to: claim) {
            if volume.claimRef == nil, let why = VolumeMatcher.mismatch(volume, claim) {
                record(context, claim.object, .warning, "VolumeMismatch", "Cannot bind to requested volume \"\(volume.meta.name)\": \(why)")
                return
            }
            try bind(volume, claim, context)
        } else {
            record(context, claim.object, .warning, "FailedBinding", "volume \"\(volume.meta.name)\" already bound to a different claim.")
        }
    }

    /// A claim already bound: its volume must exist and point back at it; otherwise the claim is
    /// Lost, as upstream marks it.
    func syncBoundClaim(_ claim: PersistentVolumeClaimView, _ context: ControllerContext) throws(APIError) {
        guard !claim.volumeName.isEmpty else {
            try markLost(claim, "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!", context)
            return
        }
        guard let volume = context.informer(VolumeKeys.volumes).get(namespace: "", name: claim.volumeName).map(PersistentVolumeView.init) else {
            try markLost(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!", context)
            return
        }
        if volume.claimRef == nil || volume.isBound(to: claim) {
            try bind(volume, claim, context)
        } else {
            try markLost(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly", context)
        }
    }

    /// upstream's bind: the volume first (claimRef, then phase), then the claim (volumeName and
    /// annotations, then status). Each step is skipped when already done, so a retry after a
    /// conflict resumes where it stopped.
    func bind(_ volume: PersistentVolumeView, _ claim: PersistentVolumeClaimView, _ context: ControllerContext) throws(APIError) {
        let writer = VolumeWriter(context: context)
        var volumeObject = volume.object
        if volume.claimRefUID != claim.meta.uid || volume.claimRefName != claim.meta.name || volume.claimRefNamespace != claim.meta.namespace {
            volumeObject[path: "spec", "claimRef"] = claim.reference
            volumeObject.meta.setAnnotation(VolumeKeys.boundByController, "yes")
            volumeObject = try writer.updateVolume(volumeObject)
        }
        try writer.setVolumePhase(volumeObject, "Bound")

        var claimObject = claim.object
        if claim.volumeName != volume.meta.name {
            claimObject[path: "spec", "volumeName"] = .string(volume.meta.name)
            claimObject.meta.setAnnotation(VolumeKeys.boundByController, "yes")
        }
        claimObject.meta.setAnnotation(VolumeKeys.bindCompleted, "yes")
        if claimObject != claim.object { claimObject = try writer.updateClaim(claimObject) }

        var status = claimObject
        status[path: "status", "phase"] = "Bound"
        status[path: "status", "accessModes"] = volume.object[path: "spec", "accessModes"]
        status[path: "status", "capacity"] = volume.object[path: "spec", "capacity"]
        if status != claimObject { try writer.updateClaim(status, status: true) }
    }

    func markLost(_ claim: PersistentVolumeClaimView, _ reason: String, _ message: String, _ context: ControllerContext) throws(APIError) {
        guard claim.phase != "Lost" else { return }
        var status = claim.object
        status[path: "status", "phase"] = "Lost"
        try VolumeWriter(context: context).updateClaim(status, status: true)
        record(context, claim.object, .warning, reason, message)
    }

    /// upstream's shouldDelayBinding: the class waits for a first consumer and the scheduler has
    /// not yet chosen a node for it.
    func shouldDelayBinding(_ claim: PersistentVolumeClaimView, _ context: ControllerContext) -> Bool {
        if claim.selectedNode != nil { return false }
        guard let storageClass = context.informer(VolumeKeys.classes).get(namespace: "", name: claim.storageClassName) else { return false }
        return storageClass["volumeBindingMode"]?.stringValue == "WaitForFirstConsumer"
    }

    /// upstream's provisionClaim for a provisioner outside the controller: the claim is annotated
    /// with the provisioner's name (which the provisioner watches for) and waits.
    func provisionClaim(_ claim: PersistentVolumeClaimView, _ context: ControllerContext) throws(APIError) {
        guard let storageClass = context.informer(VolumeKeys.classes).get(namespace: "", name: claim.storageClassName) else {
            record(context, claim.object, .warning, "ProvisioningFailed", "storageclass.storage.k8s.io \"\(claim.storageClassName)\" not found")
            return
        }
        let provisioner = storageClass["provisioner"]?.stringValue ?? ""
        if claim.meta.annotation(VolumeKeys.storageProvisioner) != provisioner || claim.meta.annotation(VolumeKeys.betaStorageProvisioner) != provisioner {
            var updated = claim.object
            updated.meta.setAnnotation(VolumeKeys.storageProvisioner, provisioner)
            updated.meta.setAnnotation(VolumeKeys.betaStorageProvisioner, provisioner)
            try VolumeWriter(context: context).updateClaim(updated)
        }
        record(context, claim.object, .normal, "ExternalProvisioning",
               "Waiting for a volume to be created either by the external provisioner '\(provisioner)' or manually by the system "
                   + "administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.")
    }
}
