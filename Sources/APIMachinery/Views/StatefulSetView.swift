/// Typed access to an apps/v1 StatefulSet, reading defaulted fields the way the controller sees
/// them after the API server's defaulting (replicas 1, OrderedReady, RollingUpdate with partition
/// 0, revisionHistoryLimit 10, Retain/Retain).
public struct StatefulSetView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ set: JSON) { fields = ObjectFields(set) }

    /// The set as stored: the escape hatch for status writes and events.
    public var object: JSON {
        get { fields.object }
        set { fields = ObjectFields(newValue) }
    }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }

    public var replicas: Int { Int(fields.int("spec", "replicas") ?? 1) }
    /// `spec.ordinals.start` (getStartOrdinal).
    public var startOrdinal: Int { Int(fields.int("spec", "ordinals", "start") ?? 0) }
    /// The last ordinal in range, inclusive (getEndOrdinal).
    public var endOrdinal: Int { startOrdinal + replicas - 1 }
    public var serviceName: String { fields.string("spec", "serviceName") ?? "" }
    /// Parallel pod management lets creation and deletion burst (allowsBurst).
    public var allowsBurst: Bool { fields.string("spec", "podManagementPolicy") == "Parallel" }
    public var updateStrategyType: String { fields.string("spec", "updateStrategy", "type") ?? "RollingUpdate" }
    public var hasRollingUpdate: Bool { fields.has("spec", "updateStrategy", "rollingUpdate") }
    public var partition: Int { Int(fields.int("spec", "updateStrategy", "rollingUpdate", "partition") ?? 0) }
    /// `maxUnavailable` as stored: an integer or a percentage string.
    public var maxUnavailable: JSON? { fields.json("spec", "updateStrategy", "rollingUpdate", "maxUnavailable") }
    public var minReadySeconds: Int { Int(fields.int("spec", "minReadySeconds") ?? 0) }
    public var revisionHistoryLimit: Int { Int(fields.int("spec", "revisionHistoryLimit") ?? 10) }
    /// The pod template as stored; setting it replaces `spec.template` (a revision's patch does).
    public var template: JSON {
        get { fields.json("spec", "template") ?? [:] }
        set { fields.set(newValue, "spec", "template") }
    }
    public var templateLabels: [String: String] { template.meta.labels }
    public var claimTemplates: [JSON] { fields.list("spec", "volumeClaimTemplates").map(\.object) }
    public var selector: LabelSelector { LabelSelector(json: fields.json("spec", "selector")) }
    public var selectorMatchLabels: [String: String] { fields.stringMap("spec", "selector", "matchLabels") }

    public enum RetentionPolicy: String, Sendable { case retain = "Retain", delete = "Delete" }
    /// getPersistentVolumeClaimRetentionPolicy: Retain for anything absent.
    public var whenDeleted: RetentionPolicy {
        RetentionPolicy(rawValue: fields.string("spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted") ?? "") ?? .retain
    }
    public var whenScaled: RetentionPolicy {
        RetentionPolicy(rawValue: fields.string("spec", "persistentVolumeClaimRetentionPolicy", "whenScaled") ?? "") ?? .retain
    }

    /// The status as stored, for comparing with a computed one.
    public var status: JSON { fields.json("status") ?? [:] }
    public var collisionCount: Int32 { Int32(truncatingIfNeeded: fields.int("status", "collisionCount") ?? 0) }
    public var currentRevision: String { fields.string("status", "currentRevision") ?? "" }
    public var currentReplicas: Int { Int(fields.int("status", "currentReplicas") ?? 0) }
}
