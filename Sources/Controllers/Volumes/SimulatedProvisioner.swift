import APIMachinery
import ControllerRuntime
import Foundation
import Registry

/// An external provisioner, simulated: what sig-storage-lib-external-provisioner does for the
/// provisioners it serves (`VolumeControllerOptions.provisioners`, every one by default).
/// - A Pending claim annotated by the PV controller with a served provisioner's name gets a
///   volume `pvc-<claim uid>`, pre-bound to it (claimRef) with the requested size, the claim's
///   access and volume modes, and the class's reclaim policy and mount options; for a
///   WaitForFirstConsumer class only once the claim carries the scheduler's selected node.
/// - A Released volume it provisioned with reclaim policy Delete is deleted.
/// The volume's source is a hostPath directory: nothing is written on this machine's disk.
public struct SimulatedProvisioner: Controller {
    public let name = "simulated-provisioner"
    public let options: VolumeControllerOptions
    let slot = VolumeQueueSlot()
    let eventLog = VolumeEventLog()
    /// The identity upstream provisioners report as their event source: `<provisioner>_<host>_<uuid>`.
    let instance = UUID().uuidString.lowercased()

    public init(options: VolumeControllerOptions = VolumeControllerOptions()) { self.options = options }

    public func register(_ context: ControllerContext) {
        slot.install(WorkQueue(name: name, timers: context.timers))
        let slot = self.slot
        let claims = context.informer(VolumeKeys.claims)
        claims.addHandler(.init(added: { slot.add(.claim($0)) }, updated: { _, new in slot.add(.claim(new)) }))
        context.informer(VolumeKeys.volumes).addHandler(.init(added: { slot.add(.volume($0)) }, updated: { _, new in slot.add(.volume(new)) }))
        context.informer(VolumeKeys.classes).addHandler(.init(added: { _ in
            for claim in claims.list() where PersistentVolumeClaimView(claim).phase == "Pending" { slot.add(.claim(claim)) }
        }))
    }

    public func start(_ context: ControllerContext) {
        slot.start(context, resyncPeriod: options.resyncPeriod) { key in self.sync(key, context) }
    }

    /// One key's reconciliation; false asks for a retry with backoff.
    func sync(_ key: VolumeWorkKey, _ context: ControllerContext) -> Bool {
        key.reconcile(context, component: "provisioner",
                      claim: { (claim) throws(APIError) in try provision(claim, context) },
                      volume: { (volume) throws(APIError) in try deleteIfReleased(volume, context) })
    }

    /// upstream's shouldProvision, then Provision.
    func provision(_ claim: PersistentVolumeClaimView, _ context: ControllerContext) throws(APIError) {
        guard claim.volumeName.isEmpty, !claim.meta.isBeingDeleted, claim.phase == "Pending" else { return }
        let provisioner = claim.provisioner
        guard options.serves(provisioner),
              let storageClass = context.informer(VolumeKeys.classes).get(namespace: "", name: claim.storageClassName),
              storageClass["provisioner"]?.stringValue == provisioner else { return }
        if storageClass["volumeBindingMode"]?.stringValue == "WaitForFirstConsumer", claim.selectedNode == nil { return }
        let volumeName = "pvc-\(claim.meta.uid)"
        let volumes = context.client(VolumeKeys.volumes)
        if (try? volumes.get(namespace: nil, name: volumeName)) != nil { return }
        let source = "\(provisioner)_kubelite_\(instance)"
        if claim.selector != nil {
            eventLog.record(context, claim.object, .warning, "ProvisioningFailed", "claim Selector is not supported", component: source)
            return
        }
        eventLog.record(context, claim.object, .normal, "Provisioning",
                        "External provisioner is provisioning volume for claim \"\(claim.meta.namespace)/\(claim.meta.name)\"", component: source)
        let volume = ProvisionedVolume.make(name: volumeName, for: claim, storageClass: storageClass,
                                            provisioner: provisioner, hostPathRoot: options.hostPathRoot)
        do {
            _ = try volumes.create(namespace: nil, body: RequestBody(value: volume), options: WriteOptions())
        } catch {
            if error.isAlreadyExists { return }  // provisioned by an earlier attempt
            eventLog.record(context, claim.object, .warning, "ProvisioningFailed", error.message, component: source)
            throw error
        }
        eventLog.record(context, claim.object, .normal, "ProvisioningSucceeded", "Successfully provisioned volume \(volumeName)", component: source)
    }

    /// upstream's shouldDelete, then Delete: a Released volume this provisioner made, with
    /// reclaim policy Delete, is removed (its pv-protection finalizer no longer holds it).
    func deleteIfReleased(_ volume: PersistentVolumeView, _ context: ControllerContext) throws(APIError) {
        guard volume.phase == "Released", volume.reclaimPolicy == "Delete", !volume.meta.isBeingDeleted,
              let provisioner = volume.provisionedBy, options.serves(provisioner) else { return }
        var precondition = DeleteOptions()
        precondition.preconditionUID = volume.meta.uid
        _ = try context.client(VolumeKeys.volumes).delete(namespace: nil, name: volume.meta.name, options: precondition)
    }
}
