import APIMachinery
import ControllerRuntime
import Foundation

/// A typed view of an apps/v1 StatefulSet kept as JSON, reading defaulted fields the way the
/// controller sees them after the API server's defaulting (replicas 1, OrderedReady, RollingUpdate
/// with partition 0, revisionHistoryLimit 10, Retain/Retain).
struct StatefulSetObject: Sendable {
    var json: JSON

    init(_ json: JSON) { self.json = json }

    var name: String { json.meta.name }
    var namespace: String { json.meta.namespace }
    var uid: String { json.meta.uid }
    var generation: Int64 { json.meta.generation }
    var isBeingDeleted: Bool { json.meta.isBeingDeleted }
    var spec: JSON { json["spec"] ?? [:] }
    var status: JSON { json["status"] ?? [:] }

    var replicas: Int { Int(spec["replicas"]?.intValue ?? 1) }
    /// `spec.ordinals.start` (getStartOrdinal).
    var startOrdinal: Int { Int(spec[path: "ordinals", "start"]?.intValue ?? 0) }
    /// The last ordinal in range, inclusive (getEndOrdinal).
    var endOrdinal: Int { startOrdinal + replicas - 1 }
    var serviceName: String { spec["serviceName"]?.stringValue ?? "" }
    /// Parallel pod management lets creation and deletion burst (allowsBurst).
    var allowsBurst: Bool { spec["podManagementPolicy"]?.stringValue == "Parallel" }
    var updateStrategyType: String { spec[path: "updateStrategy", "type"]?.stringValue ?? "RollingUpdate" }
    var hasRollingUpdate: Bool {
        guard let ru = spec[path: "updateStrategy", "rollingUpdate"] else { return false }
        return ru != .null
    }
    var partition: Int { Int(spec[path: "updateStrategy", "rollingUpdate", "partition"]?.intValue ?? 0) }
    var maxUnavailable: JSON? {
        guard let value = spec[path: "updateStrategy", "rollingUpdate", "maxUnavailable"], value != .null else { return nil }
        return value
    }
    var minReadySeconds: Int { Int(spec["minReadySeconds"]?.intValue ?? 0) }
    var revisionHistoryLimit: Int { Int(spec["revisionHistoryLimit"]?.intValue ?? 10) }
    var template: JSON { spec["template"] ?? [:] }
    var templateLabels: [String: String] { template.meta.labels }
    var claimTemplates: [JSON] { spec["volumeClaimTemplates"]?.arrayValue ?? [] }
    var selector: LabelSelector { LabelSelector(json: spec["selector"]) }
    var selectorMatchLabels: [String: String] {
        var labels: [String: String] = [:]
        for (k, v) in spec[path: "selector", "matchLabels"]?.objectValue ?? [:] { if let s = v.stringValue { labels[k] = s } }
        return labels
    }

    enum RetentionPolicy: String, Sendable { case retain = "Retain", delete = "Delete" }
    /// getPersistentVolumeClaimRetentionPolicy: Retain for anything absent.
    var whenDeleted: RetentionPolicy {
        RetentionPolicy(rawValue: spec[path: "persistentVolumeClaimRetentionPolicy", "whenDeleted"]?.stringValue ?? "") ?? .retain
    }
    var whenScaled: RetentionPolicy {
        RetentionPolicy(rawValue: spec[path: "persistentVolumeClaimRetentionPolicy", "whenScaled"]?.stringValue ?? "") ?? .retain
    }

    var collisionCount: Int32 { Int32(truncatingIfNeeded: status["collisionCount"]?.intValue ?? 0) }
    var currentRevision: String { status["currentRevision"]?.stringValue ?? "" }
    var currentReplicas: Int { Int(status["currentReplicas"]?.intValue ?? 0) }

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
        var copy = json
        copy[path: "spec", "template"] = template
        return StatefulSetObject(copy)
    }
}
