import APIMachinery
import ControllerRuntime
import Foundation

/// Removes a PersistentVolume's directory (`<root>/volumes/<pv-name>`) when the volume is deleted
/// with reclaim policy Delete, as a storage backend deletes the volume's data; a Retain volume's
/// directory stays (as a retained disk does) until someone removes it.
public final class VolumeDirectoryReclaimer: Controller, Sendable {
    public let name = "volume-directory-reclaimer"
    public let runtime: ProcessPodRuntime
    static let volumes = GroupResource(group: "", resource: "persistentvolumes")

    public init(runtime: ProcessPodRuntime) { self.runtime = runtime }

    public func register(_ context: ControllerContext) {
        let root = runtime.root
        context.informer(Self.volumes).addHandler(Informer.Handler(deleted: { pv in
            guard pv[path: "spec", "persistentVolumeReclaimPolicy"]?.stringValue == "Delete", !pv.meta.name.isEmpty else { return }
            try? FileManager.default.removeItem(atPath: ProcessPodVolumes.volumeDirectory(root: root, pv: pv.meta.name))
        }))
    }

    public func start(_ context: ControllerContext) {}
}
