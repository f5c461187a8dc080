/// Typed access to the Service fields the endpoint controllers and cluster DNS read.
public struct ServiceView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ service: JSON) { fields = ObjectFields(service) }

    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }

    /// `spec.type`; nil reads as ClusterIP upstream.
    public var type: String? { fields.string("spec", "type") }
    public var isExternalName: Bool { type == "ExternalName" }
    public var clusterIP: String { fields.string("spec", "clusterIP") ?? "" }
    /// A headless Service (`clusterIP: None`): DNS answers with the pods' addresses.
    public var isHeadless: Bool { clusterIP == "None" }
    /// IsServiceIPSet: neither headless nor without an address.
    public var hasClusterIP: Bool { !clusterIP.isEmpty && !isHeadless }
    public var publishNotReadyAddresses: Bool { fields.bool("spec", "publishNotReadyAddresses") ?? false }
    /// `spec.selector`; nil when the Service has none (its endpoints are managed by hand).
    public var selector: [String: String]? { fields.has("spec", "selector") ? fields.stringMap("spec", "selector") : nil }
    public var ports: [ServicePortView] { fields.list("spec", "ports").map(ServicePortView.init(fields:)) }
}
