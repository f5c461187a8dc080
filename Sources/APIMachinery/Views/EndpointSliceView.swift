/// Typed access to the EndpointSlice fields the endpoint slice controller reads.
public struct EndpointSliceView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ slice: JSON) { fields = ObjectFields(slice) }

    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }

    public static let serviceNameLabel = "kubernetes.io/service-name"
    public static let managedByLabel = "endpointslice.kubernetes.io/managed-by"

    public var addressType: String? { fields.string("addressType") }
    /// The Service the slice belongs to (its `kubernetes.io/service-name` label).
    public var serviceName: String? { meta.label(Self.serviceNameLabel) }
    /// The controller that manages the slice (its `endpointslice.kubernetes.io/managed-by` label).
    public var managedBy: String? { meta.label(Self.managedByLabel) }
    public var hasNoEndpointsOrPorts: Bool { fields.list("endpoints").isEmpty && fields.list("ports").isEmpty }
}
