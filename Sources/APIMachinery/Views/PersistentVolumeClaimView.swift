import Foundation

/// Read access to the fields of a claim the volume controllers decide on.
public struct PersistentVolumeClaimView {
    var fields: ObjectFields
    public init(_ object: JSON) { fields = ObjectFields(object) }

    /// The object as stored: the escape hatch for building updates.
    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }


    public var phase: String { fields.string("status", "phase") ?? "Pending" }
    public var volumeName: String { fields.string("spec", "volumeName") ?? "" }
    public var accessModes: [String] { fields.strings("spec", "accessModes") }
    public var volumeMode: String { fields.string("spec", "volumeMode") ?? "Filesystem" }
    public var selector: JSON? { fields.json("spec", "selector") }
    public var requestedStorage: Quantity? { fields.json("spec", "resources", "requests", "storage").flatMap { try? Quantity(json: $0) } }

    /// upstream's GetPersistentVolumeClaimClass: the beta annotation wins over the field.
    public var storageClassName: String {
        meta.annotation(VolumeKeys.betaStorageClass) ?? fields.string("spec", "storageClassName") ?? ""
    }
    /// Whether the claim says nothing about its class (nil, not ""): the default class may be
    /// assigned to it retroactively.
    public var hasNoClass: Bool {
        meta.annotation(VolumeKeys.betaStorageClass) == nil
            && !fields.has("spec", "storageClassName")
    }
    public var provisioner: String { meta.annotation(VolumeKeys.storageProvisioner) ?? meta.annotation(VolumeKeys.betaStorageProvisioner) ?? "" }
    public var selectedNode: String? { meta.annotation(VolumeKeys.selectedNode) }
    public var bindCompleted: Bool { meta.annotation(VolumeKeys.bindCompleted) != nil }

    /// The claimRef a volume bound to this claim carries (upstream's reference.GetReference).
    public var reference: JSON {
        ["apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": .string(meta.name), "namespace": .string(meta.namespace),
         "resourceVersion": .string(meta.resourceVersion), "uid": .string(meta.uid)]
    }
}
