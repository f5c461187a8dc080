/// Typed access to a policy/v1 PodDisruptionBudget, as the disruption controller and the eviction
/// subresource read it.
public struct PodDisruptionBudgetView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ budget: JSON) { fields = ObjectFields(budget) }

    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }

    /// `spec.selector` as upstream's LabelSelectorAsSelector reads it: absent selects nothing, and
    /// (policy/v1) an empty selector every pod of the namespace.
    public var selector: LabelSelector { LabelSelector(json: fields.json("spec", "selector")) }
    /// `spec.minAvailable` / `spec.maxUnavailable` as stored (an int or a percent string); nil when unset.
    public var minAvailable: JSON? { fields.json("spec", "minAvailable").flatMap { $0.isNull ? nil : $0 } }
    public var maxUnavailable: JSON? { fields.json("spec", "maxUnavailable").flatMap { $0.isNull ? nil : $0 } }
    /// `IfHealthyBudget` when unset, as upstream treats a nil policy.
    public var unhealthyPodEvictionPolicy: String { fields.string("spec", "unhealthyPodEvictionPolicy") ?? "IfHealthyBudget" }
    public var generation: Int64 { fields.int("metadata", "generation") ?? 0 }

    public var status: JSON { fields.json("status") ?? [:] }
    public var observedGeneration: Int64 { fields.int("status", "observedGeneration") ?? 0 }
    public var disruptionsAllowed: Int64 { fields.int("status", "disruptionsAllowed") ?? 0 }
    public var currentHealthy: Int64 { fields.int("status", "currentHealthy") ?? 0 }
    public var desiredHealthy: Int64 { fields.int("status", "desiredHealthy") ?? 0 }
    public var expectedPods: Int64 { fields.int("status", "expectedPods") ?? 0 }
    /// `status.disruptedPods`: pod name → the time its eviction was admitted.
    public var disruptedPods: [String: String] { fields.stringMap("status", "disruptedPods") }

    public func selects(_ labels: [String: String]) -> Bool { selector.matches(labels) }
}
