/// The type model server-side apply merges and tracks fields by: structured-merge-diff's
/// `schema.Atom` reduced to what matters for ownership. Built from the served OpenAPI for
/// built-in kinds (`OpenAPIFieldTypes`); a custom resource's schema can supply its own through
/// `FieldTypeSchema`.
public indirect enum FieldType: Sendable {
    /// A leaf value (string, number, boolean, IntOrString, Quantity, time).
    case scalar
    /// A struct (`fields`) or a map (`elements`), or both, owned field by field unless atomic.
    case map(FieldMap)
    case list(FieldList)
    /// A named definition, resolved through the schema (definitions reference each other and recurse).
    case named(String)
    /// Anything (`x-kubernetes-preserve-unknown-fields`, RawExtension): upstream's deduced type, a
    /// scalar, an atomic list or a granular map of the same, by the value's shape.
    case untyped
}

/// A struct or map: `x-kubernetes-map-type` atomic makes it one leaf.
public struct FieldMap: Sendable {
    public var fields: [String: FieldType]
    /// The type of members not among `fields` (a map's values); nil for a plain struct.
    public var elements: FieldType?
    public var atomic: Bool
    /// Fields the schema requires: Go encodes them even when empty (no `omitempty`), as null in a
    /// new object, which decides whether a create owns them as members.
    public var required: Set<String>
    public init(fields: [String: FieldType] = [:], elements: FieldType? = nil, atomic: Bool = false, required: Set<String> = []) {
        self.fields = fields; self.elements = elements; self.atomic = atomic; self.required = required
    }

    /// The type of member `name`, and whether it is a declared struct field (map entries are owned
    /// as members themselves, struct fields only through what is under them).
    func member(_ name: String) -> (type: FieldType, declared: Bool) {
        if let field = fields[name] { return (field, true) }
        return (elements ?? .untyped, false)
    }
}

/// A list: `x-kubernetes-list-type` atomic (one leaf), set (items by value) or map (items by
/// `x-kubernetes-list-map-keys`).
public struct FieldList: Sendable {
    public enum Relationship: Sendable {
        case atomic
        case set
        /// `defaults` stand in for key fields an item omits, as upstream takes a key field's schema default.
        case map(keys: [String], defaults: [String: JSON])
    }
    public var elements: FieldType
    public var relationship: Relationship
    public init(elements: FieldType, relationship: Relationship) {
        self.elements = elements; self.relationship = relationship
    }
}

/// Where field types come from: the built-in kinds' OpenAPI definitions, or (later) a
/// CustomResourceDefinition's structural schema, whose types can be given inline and resolve nothing.
public protocol FieldTypeSchema: Sendable {
    /// The type of objects of a kind; nil when the schema does not know the kind (fields are then
    /// tracked as `untyped`).
    func objectType(_ kind: GroupVersionKind) -> FieldType?
    /// The definition a `.named` type refers to.
    func definition(_ name: String) -> FieldType?
    /// A kind's zero object (`TypedSchema.zeroObject`) if the schema keeps them made; nil to have it
    /// computed on each create.
    func zeroObject(_ kind: GroupVersionKind) -> JSON?
}

extension FieldTypeSchema {
    public func zeroObject(_ kind: GroupVersionKind) -> JSON? { nil }
}

extension FieldTypeSchema {
    /// Follows `.named` until a concrete type; an unknown name is `untyped`, so nothing is lost.
    func resolve(_ type: FieldType) -> FieldType {
        var current = type
        var hops = 0
        while case .named(let name) = current {
            guard hops < 32, let next = definition(name) else { return .untyped }
            current = next
            hops += 1
        }
        return current
    }
}

/// A kind's type within its schema: what the apply and ownership walks are handed.
public struct TypedSchema: Sendable {
    public let schema: any FieldTypeSchema
    public let root: FieldType
    let kind: GroupVersionKind?

    public init(schema: any FieldTypeSchema, root: FieldType) {
        self.schema = schema; self.root = root; self.kind = nil
    }

    public init(schema: any FieldTypeSchema, kind: GroupVersionKind) {
        self.schema = schema; self.root = schema.objectType(kind) ?? .untyped; self.kind = kind
    }

    /// The concrete type for `value`, as upstream's `deduceAtom`: an untyped node takes the value's shape.
    func resolve(_ type: FieldType, for value: JSON?) -> FieldType {
        let resolved = schema.resolve(type)
        guard case .untyped = resolved else { return resolved }
        switch value {
        case .object?: return .map(FieldMap(elements: .untyped))
        case .array?: return .list(FieldList(elements: .untyped, relationship: .atomic))
        default: return .scalar
        }
    }
}

extension TypedSchema {
    /// Struct fields Go's API types hold by value rather than by pointer: present, empty, in a
    /// kind's zero value. The OpenAPI does not say which fields those are; these names are.
    static let valueStructFields: Set<String> = ["metadata", "spec", "status", "template", "jobTemplate", "strategy",
                                                 "updateStrategy", "resources"]

    /// The kind's zero value as upstream's field manager sees a new object (`creater.New(kind)`
    /// converted to unstructured): the by-value structs present and empty, required fields null. A
    /// create is recorded as the change from it, so `f:spec` and `f:containers` are owned through
    /// what is in them, not as members (`.`).
    public func zeroObject() -> JSON {
        if let kind, let made = schema.zeroObject(kind) { return made }
        return zeroValue(root, depth: 0) ?? .object([:])
    }

    private func zeroValue(_ type: FieldType, depth: Int) -> JSON? {
        guard depth < 8, case .map(let map) = schema.resolve(type), !map.atomic, map.elements == nil, !map.fields.isEmpty else { return nil }
        var object = JSONObject()
        for (name, field) in map.fields {
            if Self.valueStructFields.contains(name), let value = zeroValue(field, depth: depth + 1) {
                object[name] = value
            } else if map.required.contains(name) {
                object[name] = .null
            }
        }
        return .object(object)
    }
}
