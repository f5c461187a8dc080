import APIMachinery
import Foundation
import Registry

/// Read access to the fields of a claim the volume controllers decide on.
struct PersistentVolumeClaimView {
    let object: JSON
    init(_ object: JSON) { self.object = object }

    var name: String { object[path: "metadata", "name"]?.stringValue ?? "" }
    var namespace: String { object[path: "metadata", "namespace"]?.stringValue ?? "" }
    var uid: String { object[path: "metadata", "uid"]?.stringValue ?? "" }
    var resourceVersion: String { object[path: "metadata", "resourceVersion"]?.stringValue ?? "" }
    var key: String { "\(namespace)/\(name)" }
    var isBeingDeleted: Bool { object[path: "metadata", "deletionTimestamp"] != nil }
    func annotation(_ key: String) -> String? { object[path: "metadata", "annotations", key]?.stringValue }
    var finalizers: [String] { (object[path: "metadata", "finalizers"]?.arrayValue ?? []).compactMap(\.stringValue) }

    var phase: String { object[path: "status", "phase"]?.stringValue ?? "Pending" }
    var volumeName: String { object[path: "spec", "volumeName"]?.stringValue ?? "" }
    var accessModes: [String] { (object[path: "spec", "accessModes"]?.arrayValue ?? []).compactMap(\.stringValue) }
    var volumeMode: String { object[path: "spec", "volumeMode"]?.stringValue ?? "Filesystem" }
    var selector: JSON? { object[path: "spec", "selector"].flatMap { $0.isNull ? nil : $0 } }
    var requestedStorage: Quantity? { object[path: "spec", "resources", "requests", "storage"].flatMap { try? Quantity(json: $0) } }

    /// upstream's GetPersistentVolumeClaimClass: the beta annotation wins over the field.
    var storageClassName: String {
        annotation(PersistentVolumeClaimAdmission.betaClassAnnotation) ?? object[path: "spec", "storageClassName"]?.stringValue ?? ""
    }
    /// Whether the claim says nothing about its class (nil, not ""): the default class may be
    /// assigned to it retroactively.
    var hasNoClass: Bool {
        annotation(PersistentVolumeClaimAdmission.betaClassAnnotation) == nil
            && (object[path: "spec", "storageClassName"] == nil || object[path: "spec", "storageClassName"] == .null)
    }
    var provisioner: String { annotation(VolumeKeys.storageProvisioner) ?? annotation(VolumeKeys.betaStorageProvisioner) ?? "" }
    var selectedNode: String? { annotation(VolumeKeys.selectedNode) }
    var bindCompleted: Bool { annotation(VolumeKeys.bindCompleted) != nil }

    /// The claimRef a volume bound to this claim carries (upstream's reference.GetReference).
    var reference: JSON {
        ["apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": .string(name), "namespace": .string(namespace),
         "resourceVersion": .string(resourceVersion), "uid": .string(uid)]
    }
}
