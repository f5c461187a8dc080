/// Typed access to one container of a pod spec.
public struct ContainerView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ container: JSON) { fields = ObjectFields(container) }
    init(fields: ObjectFields) { self.fields = fields }

    /// The container as stored, for code that builds statuses from its probes and ports.
    public var object: JSON { fields.object }

    public var name: String { fields.string("name") ?? "" }
    public var restartPolicy: String? { fields.string("restartPolicy") }
    /// An init container that keeps running beside the app containers.
    public var isSidecar: Bool { restartPolicy == "Always" }
    /// `resources.requests` as stored (quantities by resource name).
    public var resourceRequests: JSON? { fields.json("resources", "requests") }

    /// The containerPort of the port named `name` with protocol `proto` (absent protocol is TCP).
    public func port(named name: String, protocol proto: String) -> Int64? {
        fields.list("ports").first { $0.string("name") == name && ($0.string("protocol") ?? "TCP") == proto }?.int("containerPort")
    }
}
