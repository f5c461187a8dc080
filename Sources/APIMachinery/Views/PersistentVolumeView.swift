/// Read access to the fields of a volume the volume controllers decide on.
public struct PersistentVolumeView {
    var fields: ObjectFields
    public init(_ object: JSON) { fields = ObjectFields(object) }

    /// The object as stored: the escape hatch for building updates.
    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }


    public var phase: String { fields.string("status", "phase") ?? "Pending" }
    public var storageClassName: String {
        meta.annotation(VolumeKeys.betaStorageClass) ?? fields.string("spec", "storageClassName") ?? ""
    }
    public var accessModes: [String] { fields.strings("spec", "accessModes") }
    public var volumeMode: String { fields.string("spec", "volumeMode") ?? "Filesystem" }
    public var capacity: Quantity? { fields.json("spec", "capacity", "storage").flatMap { try? Quantity(json: $0) } }
    public var reclaimPolicy: String { fields.string("spec", "persistentVolumeReclaimPolicy") ?? "Retain" }
    public var claimRef: JSON? { fields.json("spec", "claimRef") }
    public var claimRefNamespace: String { claimRef?["namespace"]?.stringValue ?? "" }
    public var claimRefName: String { claimRef?["name"]?.stringValue ?? "" }
    public var claimRefUID: String { claimRef?["uid"]?.stringValue ?? "" }
    public var provisionedBy: String? { meta.annotation(VolumeKeys.provisionedBy) }

    /// Whether the claimRef names `claim` (by namespace and name, and by UID once it has one).
    public func isBound(to claim: PersistentVolumeClaimView) -> Bool {
        guard let _ = claimRef, claimRefName == claim.meta.name, claimRefNamespace == claim.meta.namespace else { return false }
        return claimRefUID.isEmpty || claimRefUID == claim.meta.uid
    }
}
