import APIMachinery
import ControllerRuntime
import Foundation
import Registry

/// The binding half of kube-controller-manager's PersistentVolume controller:
/// - a Pending claim is bound to the volume pre-bound to it, else to the smallest matching
///   Available volume (class, access modes, size, volume mode, selector); binding writes the
///   volume's claimRef, then the claim's volumeName and bind annotations, then both phases Bound;
/// - a claim nothing matches is handed to the provisioner named by its StorageClass (the
///   `volume.kubernetes.io/storage-provisioner` annotations and an `ExternalProvisioning` event),
///   or waits for its first consumer (WaitForFirstConsumer classes), or reports a missing class;
/// - a volume whose claim is gone is Released; the provisioner deletes Released volumes whose
///   reclaim policy is Delete, Retain keeps them.
/// Provisioning itself is `SimulatedProvisioner`'s job, as an external provisioner's upstream.
public struct PersistentVolumeBinder: Controller {
    public let name = "persistentvolume-binder"
    public let options: VolumeControllerOptions
    static let component = "persistentvolume-controller"
    let slot = VolumeQueueSlot()
    let eventLog = VolumeEventLog()

    public init(options: VolumeControllerOptions = VolumeControllerOptions()) { self.options = options }

    public func register(_ context: ControllerContext) {
        if options.createsDefaultStorageClass { DefaultStorageClass.ensure(in: context.registry) }
        slot.install(WorkQueue(name: name, timers: context.timers))
        let claims = context.informer(VolumeKeys.claims)
        let volumes = context.informer(VolumeKeys.volumes)
        let slot = self.slot
        claims.addHandler(.init(
            added: { slot.add(.claim($0)) },
            updated: { _, new in slot.add(.claim(new)) },
            deleted: { claim in
                slot.add(.claim(claim))
                let volume = PersistentVolumeClaimView(claim).volumeName
                if !volume.isEmpty { slot.add(.volume(name: volume)) }
            }))
        let volumeChanged: @Sendable (JSON) -> Void = { object in
            slot.add(.volume(object))
            let volume = PersistentVolumeView(object)
            if volume.claimRef != nil {
                slot.add(.claim(namespace: volume.claimRefNamespace, name: volume.claimRefName))
            } else if volume.phase == "Available" {
                // A volume that became available may be what a waiting claim needs.
                for claim in claims.list() where PersistentVolumeClaimView(claim).phase == "Pending" { slot.add(.claim(claim)) }
            }
        }
        volumes.addHandler(.init(added: volumeChanged, updated: { _, new in volumeChanged(new) }, deleted: volumeChanged))
        // A class created late, or a claim's first consumer scheduled, unblocks waiting claims.
        let classChanged: @Sendable (JSON) -> Void = { storageClass in
            let name = storageClass.meta.name
            let isDefault = PersistentVolumeClaimAdmission.isDefaultClass(storageClass)
            for claim in claims.list() {
                let view = PersistentVolumeClaimView(claim)
                if view.phase == "Pending", view.storageClassName == name || (isDefault && view.hasNoClass) { slot.add(.claim(claim)) }
            }
        }
        context.informer(VolumeKeys.classes).addHandler(.init(added: classChanged, updated: { _, new in classChanged(new) }))
        context.informer(VolumeKeys.pods).addHandler(.init(
            added: { pod in Self.enqueueClaims(of: pod, slot) },
            updated: { _, pod in Self.enqueueClaims(of: pod, slot) }))
    }

    public func start(_ context: ControllerContext) {
        slot.start(context, resyncPeriod: options.resyncPeriod) { key in self.sync(key, context) }
    }

    static func enqueueClaims(of pod: JSON, _ slot: VolumeQueueSlot) {
        let namespace = pod.meta.namespace
        for claim in PodClaims.claimNames(pod) { slot.add(.claim(namespace: namespace, name: claim)) }
    }

    /// One key's reconciliation; false asks for a retry with backoff.
    func sync(_ key: VolumeWorkKey, _ context: ControllerContext) -> Bool {
        key.reconcile(context, component: "volume binder",
                      claim: { (claim) throws(APIError) in try syncClaim(claim, context) },
                      volume: { (volume) throws(APIError) in try syncVolume(volume, context) })
    }

    func record(_ context: ControllerContext, _ object: JSON, _ type: EventRecorder.EventType, _ reason: String, _ message: String) {
        eventLog.record(context, object, type, reason, message, component: Self.component)
    }
}
