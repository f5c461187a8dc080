/// Typed access to an apps/v1 DaemonSet, reading defaulted fields as the controller sees them
/// after the API server's defaulting (RollingUpdate, maxUnavailable 1, revisionHistoryLimit 10).
public struct DaemonSetView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ set: JSON) { fields = ObjectFields(set) }

    /// The set as stored: the escape hatch for status writes and events.
    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }

    public var selector: LabelSelector { LabelSelector(json: fields.json("spec", "selector")) }
    public var template: JSON { fields.json("spec", "template") ?? [:] }
    public var minReadySeconds: Int { Int(fields.int("spec", "minReadySeconds") ?? 0) }
    public var revisionHistoryLimit: Int { Int(fields.int("spec", "revisionHistoryLimit") ?? 10) }
    public var isRollingUpdate: Bool { (fields.string("spec", "updateStrategy", "type") ?? "RollingUpdate") == "RollingUpdate" }
    public var maxUnavailable: JSON { fields.json("spec", "updateStrategy", "rollingUpdate", "maxUnavailable") ?? 1 }
    public var maxSurge: JSON { fields.json("spec", "updateStrategy", "rollingUpdate", "maxSurge") ?? 0 }
    /// The `deprecated.daemonset.template.generation` annotation the API server keeps; nil when unparsable.
    public var templateGeneration: Int64? { meta.annotation("deprecated.daemonset.template.generation").flatMap { Int64($0) } }

    public var status: JSON { fields.json("status") ?? [:] }
    public var collisionCount: Int32? { fields.int("status", "collisionCount").map { Int32(truncatingIfNeeded: $0) } }
    public var observedGeneration: Int64 { fields.int("status", "observedGeneration") ?? 0 }
}
