/// Typed access to one of a pod's `status.conditions`.
public struct PodConditionView: Sendable, Equatable {
    var fields: ObjectFields

    init(fields: ObjectFields) { self.fields = fields }

    /// The condition as stored, for code that rebuilds a pod's conditions.
    public var object: JSON { fields.object }
    public var type: String { fields.string("type") ?? "" }
    /// "True", "False" or "Unknown"; "" when absent.
    public var status: String { fields.string("status") ?? "" }
    public var lastTransitionTime: String? { fields.string("lastTransitionTime") }
}
