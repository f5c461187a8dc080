/// Typed access to the Node fields the scheduler and the endpoint controllers read.
public struct NodeView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ node: JSON) { fields = ObjectFields(node) }

    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }

    public var unschedulable: Bool { fields.bool("spec", "unschedulable") ?? false }
    /// `spec.taints` as stored; the scheduler matches them against tolerations member by member.
    public var taints: [JSON] { fields.list("spec", "taints").map(\.object) }
    /// `status.allocatable` as stored (quantities by resource name).
    public var allocatable: JSON? { fields.json("status", "allocatable") }
}
