import Foundation

/// Read access to the fields of a claim the volume controllers decide on.
public struct PersistentVolumeClaimView {
    public let object: JSON
    public init(_ object: JSON) { self.object = object }

    public var name: String { object[path: "metadata", "name"]?.stringValue ?? "" }
    public var namespace: String { object[path: "metadata", "namespace"]?.stringValue ?? "" }
    public var uid: String { object[path: "metadata", "uid"]?.stringValue ?? "" }
    public var resourceVersion: String { object[path: "metadata", "resourceVersion"]?.stringValue ?? "" }
    public var key: String { "\(namespace)/\(name)" }
    public var isBeingDeleted: Bool { object[path: "metadata", "deletionTimestamp"] != nil }
    public func annotation(_ key: String) -> String? { object[path: "metadata", "annotations", key]?.stringValue }
    public var finalizers: [String] { (object[path: "metadata", "finalizers"]?.arrayValue ?? []).compactMap(\.stringValue) }

    public var phase: String { object[path: "status", "phase"]?.stringValue ?? "Pending" }
    public var volumeName: String { object[path: "spec", "volumeName"]?.stringValue ?? "" }
    public var accessModes: [String] { (object[path: "spec", "accessModes"]?.arrayValue ?? []).compactMap(\.stringValue) }
    public var volumeMode: String { object[path: "spec", "volumeMode"]?.stringValue ?? "Filesystem" }
    public var selector: JSON? { object[path: "spec", "selector"].flatMap { $0.isNull ? nil : $0 } }
    public var requestedStorage: Quantity? { object[path: "spec", "resources", "requests", "storage"].flatMap { try? Quantity(json: $0) } }

    /// upstream's GetPersistentVolumeClaimClass: the beta annotation wins over the field.
    public var storageClassName: String {
        annotation(VolumeKeys.betaStorageClass) ?? object[path: "spec", "storageClassName"]?.stringValue ?? ""
    }
    /// Whether the claim says nothing about its class (nil, not ""): the default class may be
    /// assigned to it retroactively.
    public var hasNoClass: Bool {
        annotation(VolumeKeys.betaStorageClass) == nil
            && (object[path: "spec", "storageClassName"] == nil || object[path: "spec", "storageClassName"] == .null)
    }
    public var provisioner: String { annotation(VolumeKeys.storageProvisioner) ?? annotation(VolumeKeys.betaStorageProvisioner) ?? "" }
    public var selectedNode: String? { annotation(VolumeKeys.selectedNode) }
    public var bindCompleted: Bool { annotation(VolumeKeys.bindCompleted) != nil }

    /// The claimRef a volume bound to this claim carries (upstream's reference.GetReference).
    public var reference: JSON {
        ["apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": .string(name), "namespace": .string(namespace),
         "resourceVersion": .string(resourceVersion), "uid": .string(uid)]
    }
}
