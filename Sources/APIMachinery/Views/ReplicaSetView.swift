/// Typed access to an apps/v1 ReplicaSet (or a core/v1 ReplicationController, its older twin), reading defaulted fields as the controllers see them
/// after the API server's defaulting (replicas 1).
public struct ReplicaSetView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ set: JSON) { fields = ObjectFields(set) }

    /// The set as stored: the escape hatch for updates, status writes and events.
    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }

    /// `spec.replicas`; 1 when absent, as defaulting leaves it.
    public var replicas: Int { Int(fields.int("spec", "replicas") ?? 1) }
    public var minReadySeconds: Int { Int(fields.int("spec", "minReadySeconds") ?? 0) }
    /// A core/v1 ReplicationController's selector is a plain map of equalities; the view reads it
    /// as the set-based selector it converts to, so the one controller serves both kinds.
    public var selector: LabelSelector {
        if fields.string("kind") == "ReplicationController" { return LabelSelector(set: fields.json("spec", "selector")) }
        return LabelSelector(json: fields.json("spec", "selector"))
    }
    /// The pod template as stored.
    public var template: JSON { fields.json("spec", "template") ?? [:] }
    public var templateLabels: [String: String] { fields.stringMap("spec", "template", "metadata", "labels") }

    /// The status as stored, for comparing with a computed one.
    public var status: JSON { fields.json("status") ?? [:] }
    public var statusReplicas: Int { Int(fields.int("status", "replicas") ?? 0) }
    public var readyReplicas: Int { Int(fields.int("status", "readyReplicas") ?? 0) }
    public var availableReplicas: Int { Int(fields.int("status", "availableReplicas") ?? 0) }
    public var fullyLabeledReplicas: Int { Int(fields.int("status", "fullyLabeledReplicas") ?? 0) }
    public var observedGeneration: Int64 { fields.int("status", "observedGeneration") ?? 0 }
}
