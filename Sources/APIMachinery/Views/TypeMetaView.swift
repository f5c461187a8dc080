/// An object's apiVersion and kind (upstream's metav1.TypeMeta).
public struct TypeMetaView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ object: JSON) { fields = ObjectFields(object) }
    init(fields: ObjectFields) { self.fields = fields }

    public var apiVersion: String { fields.string("apiVersion") ?? "" }
    public var kind: String { fields.string("kind") ?? "" }
    /// The API group: the part of apiVersion before the slash, "" for the core group.
    public var group: String {
        let version = apiVersion
        guard let slash = version.firstIndex(of: "/") else { return "" }
        return String(version[..<slash])
    }
}
