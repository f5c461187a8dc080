/// Read access to the fields of a volume the volume controllers decide on.
public struct PersistentVolumeView {
    public let object: JSON
    public init(_ object: JSON) { self.object = object }

    public var name: String { object[path: "metadata", "name"]?.stringValue ?? "" }
    public var resourceVersion: String { object[path: "metadata", "resourceVersion"]?.stringValue ?? "" }
    public var isBeingDeleted: Bool { object[path: "metadata", "deletionTimestamp"] != nil }
    public func annotation(_ key: String) -> String? { object[path: "metadata", "annotations", key]?.stringValue }
    public var labels: [String: String] {
        var labels: [String: String] = [:]
        for (k, v) in object[path: "metadata", "labels"]?.objectValue ?? [:] { labels[k] = v.stringValue ?? "" }
        return labels
    }
    public var finalizers: [String] { (object[path: "metadata", "finalizers"]?.arrayValue ?? []).compactMap(\.stringValue) }

    public var phase: String { object[path: "status", "phase"]?.stringValue ?? "Pending" }
    public var storageClassName: String {
        annotation(VolumeKeys.betaStorageClass) ?? object[path: "spec", "storageClassName"]?.stringValue ?? ""
    }
    public var accessModes: [String] { (object[path: "spec", "accessModes"]?.arrayValue ?? []).compactMap(\.stringValue) }
    public var volumeMode: String { object[path: "spec", "volumeMode"]?.stringValue ?? "Filesystem" }
    public var capacity: Quantity? { object[path: "spec", "capacity", "storage"].flatMap { try? Quantity(json: $0) } }
    public var reclaimPolicy: String { object[path: "spec", "persistentVolumeReclaimPolicy"]?.stringValue ?? "Retain" }
    public var claimRef: JSON? { object[path: "spec", "claimRef"].flatMap { $0.isNull ? nil : $0 } }
    public var claimRefNamespace: String { claimRef?["namespace"]?.stringValue ?? "" }
    public var claimRefName: String { claimRef?["name"]?.stringValue ?? "" }
    public var claimRefUID: String { claimRef?["uid"]?.stringValue ?? "" }
    public var provisionedBy: String? { annotation(VolumeKeys.provisionedBy) }

    /// Whether the claimRef names `claim` (by namespace and name, and by UID once it has one).
    public func isBound(to claim: PersistentVolumeClaimView) -> Bool {
        guard let _ = claimRef, claimRefName == claim.name, claimRefNamespace == claim.namespace else { return false }
        return claimRefUID.isEmpty || claimRefUID == claim.uid
    }
}
