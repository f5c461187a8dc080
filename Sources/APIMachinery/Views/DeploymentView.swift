/// Typed access to an apps/v1 Deployment, reading defaulted fields as the controller sees them
/// after the API server's defaulting (replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10,
/// progressDeadlineSeconds 600).
public struct DeploymentView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ deployment: JSON) { fields = ObjectFields(deployment) }

    /// The deployment as stored: the escape hatch for updates, status writes and events.
    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }

    public var replicas: Int { Int(fields.int("spec", "replicas") ?? 1) }
    public var minReadySeconds: Int { Int(fields.int("spec", "minReadySeconds") ?? 0) }
    public var selector: LabelSelector { LabelSelector(json: fields.json("spec", "selector")) }
    /// `spec.selector` as stored, copied onto the ReplicaSets with the hash label added.
    public var selectorJSON: JSON? { fields.json("spec", "selector") }
    public var template: JSON { fields.json("spec", "template") ?? [:] }
    public var paused: Bool { fields.bool("spec", "paused") ?? false }
    /// `Recreate` or `RollingUpdate`.
    public var strategyType: String { fields.string("spec", "strategy", "type") ?? "RollingUpdate" }
    /// `maxSurge` and `maxUnavailable` as stored: an integer or a percentage string.
    public var maxSurge: JSON? { fields.json("spec", "strategy", "rollingUpdate", "maxSurge") }
    public var maxUnavailable: JSON? { fields.json("spec", "strategy", "rollingUpdate", "maxUnavailable") }
    public var revisionHistoryLimit: Int? { fields.int("spec", "revisionHistoryLimit").map(Int.init) }
    public var progressDeadlineSeconds: Int? { fields.int("spec", "progressDeadlineSeconds").map(Int.init) }

    public var status: JSON { fields.json("status") ?? [:] }
    public var observedGeneration: Int64 { fields.int("status", "observedGeneration") ?? 0 }
    public var collisionCount: Int32 { Int32(truncatingIfNeeded: fields.int("status", "collisionCount") ?? 0) }
    /// `status.conditions` as stored.
    public var conditions: [JSON] { fields.list("status", "conditions").map(\.object) }
    public func condition(_ type: String) -> JSON? { conditions.first { $0["type"]?.stringValue == type } }
}
