import APIMachinery
import Registry

/// Read access to the fields of a volume the volume controllers decide on.
struct PersistentVolumeView {
    let object: JSON
    init(_ object: JSON) { self.object = object }

    var name: String { object[path: "metadata", "name"]?.stringValue ?? "" }
    var resourceVersion: String { object[path: "metadata", "resourceVersion"]?.stringValue ?? "" }
    var isBeingDeleted: Bool { object[path: "metadata", "deletionTimestamp"] != nil }
    func annotation(_ key: String) -> String? { object[path: "metadata", "annotations", key]?.stringValue }
    var labels: [String: String] {
        var labels: [String: String] = [:]
        for (k, v) in object[path: "metadata", "labels"]?.objectValue ?? [:] { labels[k] = v.stringValue ?? "" }
        return labels
    }
    var finalizers: [String] { (object[path: "metadata", "finalizers"]?.arrayValue ?? []).compactMap(\.stringValue) }

    var phase: String { object[path: "status", "phase"]?.stringValue ?? "Pending" }
    var storageClassName: String {
        annotation(PersistentVolumeClaimAdmission.betaClassAnnotation) ?? object[path: "spec", "storageClassName"]?.stringValue ?? ""
    }
    var accessModes: [String] { (object[path: "spec", "accessModes"]?.arrayValue ?? []).compactMap(\.stringValue) }
    var volumeMode: String { object[path: "spec", "volumeMode"]?.stringValue ?? "Filesystem" }
    var capacity: Quantity? { object[path: "spec", "capacity", "storage"].flatMap { try? Quantity(json: $0) } }
    var reclaimPolicy: String { object[path: "spec", "persistentVolumeReclaimPolicy"]?.stringValue ?? "Retain" }
    var claimRef: JSON? { object[path: "spec", "claimRef"].flatMap { $0.isNull ? nil : $0 } }
    var claimRefNamespace: String { claimRef?["namespace"]?.stringValue ?? "" }
    var claimRefName: String { claimRef?["name"]?.stringValue ?? "" }
    var claimRefUID: String { claimRef?["uid"]?.stringValue ?? "" }
    var provisionedBy: String? { annotation(VolumeKeys.provisionedBy) }

    /// Whether the claimRef names `claim` (by namespace and name, and by UID once it has one).
    func isBound(to claim: PersistentVolumeClaimView) -> Bool {
        guard let _ = claimRef, claimRefName == claim.name, claimRefNamespace == claim.namespace else { return false }
        return claimRefUID.isEmpty || claimRefUID == claim.uid
    }
}
