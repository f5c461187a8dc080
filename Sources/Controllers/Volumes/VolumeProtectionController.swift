import APIMachinery
import ControllerRuntime
import Registry

/// kube-controller-manager's pv-protection controller: a volume being deleted keeps its
/// `kubernetes.io/pv-protection` finalizer while it is Bound to a claim; once unbound (Released,
/// Available, Failed) the finalizer is removed and the volume goes. Volumes created before
/// admission added the finalizer get it here.
public struct VolumeProtectionController: Controller {
    public let name = "pv-protection"
    let slot = VolumeQueueSlot()

    public init() {}

    public func register(_ context: ControllerContext) {
        slot.install(WorkQueue(name: "pvprotection", timers: context.timers))
        let slot = self.slot
        context.informer(VolumeKeys.volumes).addHandler(.init(added: { slot.add(.volume($0)) }, updated: { _, new in slot.add(.volume(new)) }))
    }

    public func start(_ context: ControllerContext) {
        for volume in context.informer(VolumeKeys.volumes).list() { slot.add(.volume(volume)) }
        slot.run(logger: context.logger) { key in self.sync(key, context) }
    }

    func sync(_ key: VolumeWorkKey, _ context: ControllerContext) -> Bool {
        guard case .volume(let name) = key, let object = context.informer(VolumeKeys.volumes).get(namespace: "", name: name) else { return true }
        let volume = PersistentVolumeView(object)
        let writer = VolumeWriter(context: context)
        let store = context.client(VolumeKeys.volumes)
        do {
            if !volume.meta.isBeingDeleted {
                if !volume.meta.finalizers.contains(VolumeKeys.volumeProtection) {
                    try writer.addFinalizer(VolumeKeys.volumeProtection, to: object, store: store)
                }
                return true
            }
            // upstream's isVolumeInUse: a Bound volume is in use.
            guard volume.meta.finalizers.contains(VolumeKeys.volumeProtection), volume.phase != "Bound" else { return true }
            try writer.removeFinalizer(VolumeKeys.volumeProtection, from: object, store: store)
            return true
        } catch {
            return error.isNotFound
        }
    }
}
