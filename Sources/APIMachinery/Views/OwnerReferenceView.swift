/// Typed access to one of `metadata.ownerReferences` (upstream's metav1.OwnerReference).
public struct OwnerReferenceView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ reference: JSON) { fields = ObjectFields(reference) }
    init(fields: ObjectFields) { self.fields = fields }

    /// A reference with upstream's member order (apiVersion, kind, name, uid, controller,
    /// blockOwnerDeletion); nil flags are left out.
    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil, blockOwnerDeletion: Bool? = nil) {
        var object: JSONObject = ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid)]
        if let controller { object["controller"] = .bool(controller) }
        if let blockOwnerDeletion { object["blockOwnerDeletion"] = .bool(blockOwnerDeletion) }
        fields = ObjectFields(.object(object))
    }

    /// The reference as stored, for writing it into an object.
    public var object: JSON { fields.object }

    public var apiVersion: String { fields.string("apiVersion") ?? "" }
    public var kind: String { fields.string("kind") ?? "" }
    public var name: String { fields.string("name") ?? "" }
    public var uid: String { fields.string("uid") ?? "" }
    /// Whether the owner is the managing controller (absent reads as false).
    public var controller: Bool { fields.bool("controller") ?? false }
    /// Whether the owner's foreground deletion waits for this dependent (absent reads as false).
    public var blockOwnerDeletion: Bool { fields.bool("blockOwnerDeletion") ?? false }
}
