import APIMachinery
import ControllerRuntime
import Registry

/// kube-controller-manager's pvc-protection controller: a claim being deleted keeps its
/// `kubernetes.io/pvc-protection` finalizer while a scheduled pod uses it, so the data of a
/// running pod cannot vanish under it; once no such pod remains, the finalizer is removed and the
/// claim goes. Claims created before admission added the finalizer get it here.
public struct ClaimProtectionController: Controller {
    public let name = "pvc-protection"
    let slot = VolumeQueueSlot()

    public init() {}

    public func register(_ context: ControllerContext) {
        slot.install(WorkQueue(name: "pvcprotection", timers: context.timers))
        let slot = self.slot
        context.informer(VolumeKeys.claims).addHandler(.init(added: { slot.add(.claim($0)) }, updated: { _, new in slot.add(.claim(new)) }))
        // A pod leaving (or changing) may release the claims it used.
        let podChanged: @Sendable (JSON) -> Void = { pod in
            let namespace = pod.meta.namespace
            for claim in PodClaims.claimNames(pod) { slot.add(.claim(namespace: namespace, name: claim)) }
        }
        context.informer(VolumeKeys.pods).addHandler(.init(added: podChanged, updated: { old, new in podChanged(old); podChanged(new) },
                                                            deleted: podChanged))
    }

    public func start(_ context: ControllerContext) {
        for claim in context.informer(VolumeKeys.claims).list() { slot.add(.claim(claim)) }
        slot.run(logger: context.logger) { key in self.sync(key, context) }
    }

    func sync(_ key: VolumeWorkKey, _ context: ControllerContext) -> Bool {
        guard case .claim(let namespace, let name) = key,
              let object = context.informer(VolumeKeys.claims).get(namespace: namespace, name: name) else { return true }
        let claim = PersistentVolumeClaimView(object)
        let writer = VolumeWriter(context: context)
        let store = context.client(VolumeKeys.claims)
        do {
            if !claim.meta.isBeingDeleted {
                if !claim.meta.finalizers.contains(VolumeKeys.claimProtection) {
                    try writer.addFinalizer(VolumeKeys.claimProtection, to: object, store: store)
                }
                return true
            }
            guard claim.meta.finalizers.contains(VolumeKeys.claimProtection), !isInUse(claim, context) else { return true }
            try writer.removeFinalizer(VolumeKeys.claimProtection, from: object, store: store)
            return true
        } catch {
            return error.isNotFound
        }
    }

    /// upstream's podUsesPVC over the cache, confirmed against storage as upstream asks the API
    /// server before letting a claim go: only pods scheduled to a node count, since the kubelet
    /// will not start a pod whose claim is being deleted.
    func isInUse(_ claim: PersistentVolumeClaimView, _ context: ControllerContext) -> Bool {
        let uses: (JSON) -> Bool = { pod in PodClaims.isScheduled(pod) && PodClaims.claimNames(pod).contains(claim.meta.name) }
        if context.informer(VolumeKeys.pods).list(namespace: claim.meta.namespace).contains(where: uses) { return true }
        return context.client(VolumeKeys.pods).list(namespace: claim.meta.namespace).items.contains { uses($0.object) }
    }
}
