import APIMachinery
import ControllerRuntime
import Registry

extension PersistentVolumeBinder {
    /// Pods in the claim's namespace that use it.
    func consumers(of claim: PersistentVolumeClaimView, _ context: ControllerContext) -> [JSON] {
        context.informer(VolumeKeys.pods).list(namespace: claim.meta.namespace)
            .filter { PodClaims.claimNames($0).contains(claim.meta.name) }
            .sorted { $0.meta.name < $1.meta.name }
    }

    /// A consumer already placed on a node (created with `spec.nodeName`, so no scheduler chose a
    /// node for its claims) stands for the scheduler's choice: the claim gets that node as
    /// `volume.kubernetes.io/selected-node`, which starts provisioning. Returns whether it did.
    func selectNodeOfScheduledConsumer(_ claim: PersistentVolumeClaimView, _ context: ControllerContext) throws(APIError) -> Bool {
        guard let pod = consumers(of: claim, context).first(where: PodClaims.isScheduled),
              case let node = PodView(pod).nodeName else { return false }
        var updated = claim.object
        updated.meta.setAnnotation(VolumeKeys.selectedNode, node)
        try VolumeWriter(context: context).updateClaim(updated)
        return true
    }

    /// upstream's emitEventForUnboundDelayBindingClaim.
    func recordWaitingForConsumer(_ claim: PersistentVolumeClaimView, _ context: ControllerContext) {
        let waiting = consumers(of: claim, context).filter { !PodClaims.isScheduled($0) && !$0.meta.isBeingDeleted }
            .map(\.meta.name)
        switch waiting.count {
        case 0:
            record(context, claim.object, .normal, "WaitForFirstConsumer", "waiting for first consumer to be created before binding")
        case 1:
            record(context, claim.object, .normal, "WaitForPodScheduled", "waiting for pod \(waiting[0]) to be scheduled")
        default:
            record(context, claim.object, .normal, "WaitForPodScheduled", "waiting for pods \(waiting.joined(separator: ",")) to be scheduled")
        }
    }
}
