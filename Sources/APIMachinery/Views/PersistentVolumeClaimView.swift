import Foundation

/// Read access to the fields of a claim the volume controllers decide on.
public struct PersistentVolumeClaimView {
    var fields: ObjectFields
    public init(_ object: JSON) { fields = ObjectFields(object) }

    /// The object as stored: the escape hatch for building updates.
    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }

    public var name: String { meta.name }
    public var namespace: String { meta.namespace }
    public var uid: String { meta.uid }
    public var resourceVersion: String { meta.resourceVersion }
    public var key: String { "\(namespace)/\(name)" }
    public var isBeingDeleted: Bool { meta.isBeingDeleted }
    public func annotation(_ key: String) -> String? { meta.annotation(key) }
    public var finalizers: [String] { meta.finalizers }

    public var phase: String { fields.string("status", "phase") ?? "Pending" }
    public var volumeName: String { fields.string("spec", "volumeName") ?? "" }
    public var accessModes: [String] { fields.strings("spec", "accessModes") }
    public var volumeMode: String { fields.string("spec", "volumeMode") ?? "Filesystem" }
    public var selector: JSON? { fields.json("spec", "selector") }
    public var requestedStorage: Quantity? { fields.json("spec", "resources", "requests", "storage").flatMap { try? Quantity(json: $0) } }

    /// upstream's GetPersistentVolumeClaimClass: the beta annotation wins over the field.
    public var storageClassName: String {
        annotation(VolumeKeys.betaStorageClass) ?? fields.string("spec", "storageClassName") ?? ""
    }
    /// Whether the claim says nothing about its class (nil, not ""): the default class may be
    /// assigned to it retroactively.
    public var hasNoClass: Bool {
        annotation(VolumeKeys.betaStorageClass) == nil
            && !fields.has("spec", "storageClassName")
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
