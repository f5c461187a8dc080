/// Typed access to an object's `metadata` (upstream's metav1.ObjectMeta), reading absent members
/// as Go's zero values. Setters cover what controllers change on objects they build or adopt.
public struct ObjectMetaView: Sendable, Equatable {
    var fields: ObjectFields

    /// Wraps a `metadata` object (not the whole object: see `JSON.meta` for that).
    public init(_ metadata: JSON) { fields = ObjectFields(metadata) }
    init(fields: ObjectFields) { self.fields = fields }

    /// The metadata as stored: the escape hatch for code that still writes the tree itself.
    public var object: JSON { fields.object }

    public var name: String {
        get { fields.string("name") ?? "" }
        set { fields.set(.string(newValue), "name") }
    }
    public var namespace: String {
        get { fields.string("namespace") ?? "" }
        set { fields.set(.string(newValue), "namespace") }
    }
    public var generateName: String { fields.string("generateName") ?? "" }
    public var uid: String { fields.string("uid") ?? "" }
    public var resourceVersion: String { fields.string("resourceVersion") ?? "" }
    /// Drops the revision: a create must not carry one.
    public mutating func removeResourceVersion() { fields.set(nil, "resourceVersion") }
    public var generation: Int64 { fields.int("generation") ?? 0 }
    /// Set by the API server on create; a template copied into a new object drops it (nil removes).
    public var creationTimestamp: String? {
        get { fields.string("creationTimestamp") }
        set { fields.set(newValue.map(JSON.string), "creationTimestamp") }
    }
    public var deletionTimestamp: String? { fields.string("deletionTimestamp") }
    public var deletionGracePeriodSeconds: Int64? { fields.int("deletionGracePeriodSeconds") }
    /// Whether deletion has begun (a deletionTimestamp is set): finalizers are running.
    public var isBeingDeleted: Bool { fields.has("deletionTimestamp") }

    /// `namespace/name`, or `name` for a cluster-scoped object: client-go's MetaNamespaceKeyFunc.
    public var key: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    /// Labels; setting them writes the keys in Go's order (bytewise sorted), as upstream marshals
    /// a `map[string]string`.
    public var labels: [String: String] {
        get { fields.stringMap("labels") }
        set { fields.set(Self.goOrdered(newValue), "labels") }
    }
    public func label(_ key: String) -> String? { fields.string("labels", key) }
    /// Sets (or with nil removes) one label, keeping the others in their order.
    public mutating func setLabel(_ key: String, _ value: String?) { fields.set(value.map(JSON.string), "labels", key) }
    /// Labels as stored, in their order: for copying onto an object built from this one.
    public var orderedLabels: JSONObject { fields.json("labels")?.objectValue ?? [:] }
    /// Replaces the labels with members in the order given (or removes them with nil).
    public mutating func setLabels(_ labels: JSONObject?) { fields.set(labels.map(JSON.object), "labels") }

    /// Annotations; setting them writes Go's key order, and an empty map removes the member (omitempty).
    public var annotations: [String: String] {
        get { fields.stringMap("annotations") }
        set { fields.set(newValue.isEmpty ? JSON?.none : Self.goOrdered(newValue), "annotations") }
    }
    public func annotation(_ key: String) -> String? { fields.string("annotations", key) }
    public mutating func setAnnotation(_ key: String, _ value: String?) { fields.set(value.map(JSON.string), "annotations", key) }
    /// Annotations as stored, in their order.
    public var orderedAnnotations: JSONObject { fields.json("annotations")?.objectValue ?? [:] }
    /// Replaces the annotations with members in the order given (or removes them with nil).
    public mutating func setAnnotations(_ annotations: JSONObject?) { fields.set(annotations.map(JSON.object), "annotations") }

    /// Finalizers in order; setting an empty list removes the member, as upstream's omitempty does.
    public var finalizers: [String] {
        get { fields.strings("finalizers") }
        set { fields.set(newValue.isEmpty ? JSON?.none : .array(newValue.map(JSON.string)), "finalizers") }
    }

    /// Owner references in order; setting an empty list removes the member (omitempty).
    public var ownerReferences: [OwnerReferenceView] {
        get { fields.list("ownerReferences").map(OwnerReferenceView.init(fields:)) }
        set { fields.set(newValue.isEmpty ? JSON?.none : .array(newValue.map(\.object)), "ownerReferences") }
    }

    /// Copies members as stored from another object's metadata, removing those it lacks: for
    /// carrying server-set fields (uid, resourceVersion, creationTimestamp) onto a rebuilt object.
    public mutating func copy(_ members: [String], from other: ObjectMetaView) {
        for member in members { fields.set(other.fields.value([member]), member) }
    }

    /// The owner reference marked `controller: true` (metav1.GetControllerOf).
    public var controllerRef: OwnerReferenceView? { ownerReferences.first { $0.controller } }

    static func goOrdered(_ map: [String: String]) -> JSON {
        var object = JSONObject()
        for key in map.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            object[key] = .string(map[key]!)
        }
        return .object(object)
    }
}

extension JSON {
    /// The object's metadata as a view; setting it writes the metadata back.
    public var meta: ObjectMetaView {
        get { ObjectMetaView(fields: ObjectFields(self["metadata"] ?? .object([:]))) }
        set { self["metadata"] = newValue.object }
    }

    /// The object's apiVersion and kind.
    public var typeMeta: TypeMetaView { TypeMetaView(fields: ObjectFields(self)) }
}
