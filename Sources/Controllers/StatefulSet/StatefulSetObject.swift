import APIMachinery
import ControllerRuntime
import Foundation

/// The StatefulSet as the controller works with it: the view plus the names and references the
/// controller derives from it.
typealias StatefulSetObject = StatefulSetView

extension StatefulSetView {
    var name: String { meta.name }
    var namespace: String { meta.namespace }
    var uid: String { meta.uid }
    var generation: Int64 { meta.generation }
    var isBeingDeleted: Bool { meta.isBeingDeleted }

    /// metav1.NewControllerRef(set, apps/v1 StatefulSet).
    var controllerReference: OwnerReferenceView {
        OwnerReferenceView(apiVersion: "apps/v1", kind: "StatefulSet", name: name, uid: uid, controller: true, blockOwnerDeletion: true)
    }

    /// Whether `ordinal` lies in [start, end] (podInOrdinalRange).
    func inRange(_ ordinal: Int) -> Bool { ordinal >= startOrdinal && ordinal <= endOrdinal }

    /// `<set>-<ordinal>` (getPodName).
    func podName(_ ordinal: Int) -> String { "\(name)-\(ordinal)" }

    /// `<claim>-<set>-<ordinal>` (getPersistentVolumeClaimName).
    func claimName(_ template: JSON, ordinal: Int) -> String { "\(template.meta.name)-\(name)-\(ordinal)" }

    /// A copy with the pod template replaced: what ApplyRevision yields for revision patches, which
    /// only ever replace `spec.template`.
    func withTemplate(_ template: JSON) -> StatefulSetObject {
        var copy = self
        copy.template = template
        return copy
    }
}
