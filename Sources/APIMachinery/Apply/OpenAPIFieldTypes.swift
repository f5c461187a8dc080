/// Field types from OpenAPI definitions, converted as kube-openapi's `schemaconv` converts them for
/// kube-apiserver: `x-kubernetes-list-type` and `x-kubernetes-list-map-keys` first, the patch
/// strategy `merge` (with its merge key, or as a set without one) as the fallback for lists that
/// declare no list type, otherwise atomic lists; maps and structs granular unless
/// `x-kubernetes-map-type: atomic`.
public struct OpenAPIFieldTypes: FieldTypeSchema {
    public let definitions: [String: FieldType]
    public let kinds: [GroupVersionKind: String]
    /// Each kind's zero object, made once: every create is compared with one.
    private(set) var zeroObjects: [GroupVersionKind: JSON]

    /// The served built-in kinds, converted once on first use.
    public static let upstream = OpenAPIFieldTypes(openAPIDefinitions: SchemaSet.upstreamDefinitions)

    /// The generated definitions drop `default`s; these are the defaulted list map keys of 1.32's
    /// OpenAPI (a port's `protocol`), which upstream fills in when an applied item leaves them out.
    static let keyDefaults: [String: [String: JSON]] = [
        "io.k8s.api.core.v1.ContainerPort": ["protocol": "TCP"],
        "io.k8s.api.core.v1.ServicePort": ["protocol": "TCP"],
    ]

    public init(openAPIDefinitions: JSONObject) {
        var definitions: [String: FieldType] = [:]
        var kinds: [GroupVersionKind: String] = [:]
        for (name, schema) in openAPIDefinitions {
            definitions[name] = Self.convert(schema, name: name)
            for gvk in schema["x-kubernetes-group-version-kind"]?.arrayValue ?? [] {
                guard let kind = gvk["kind"]?.stringValue, let version = gvk["version"]?.stringValue else { continue }
                kinds[GroupVersionKind(group: gvk["group"]?.stringValue ?? "", version: version, kind: kind)] = name
            }
        }
        self.definitions = definitions
        self.kinds = kinds
        self.zeroObjects = [:]
        var zeros: [GroupVersionKind: JSON] = [:]
        for kind in kinds.keys { zeros[kind] = TypedSchema(schema: self, kind: kind).zeroObject() }
        self.zeroObjects = zeros
    }

    public func objectType(_ kind: GroupVersionKind) -> FieldType? { kinds[kind].map { .named($0) } }
    public func zeroObject(_ kind: GroupVersionKind) -> JSON? { zeroObjects[kind] }
    public func definition(_ name: String) -> FieldType? { definitions[name] }

    static let scalarDefinitions: Set<String> = [
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString", "io.k8s.apimachinery.pkg.api.resource.Quantity",
        "io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
    ]

    public static func convert(_ schema: JSON, name: String? = nil) -> FieldType {
        if let name, scalarDefinitions.contains(name) { return .scalar }
        if let ref = schema["$ref"]?.stringValue {
            return .named(String(ref.split(separator: "/").last ?? Substring(ref)))
        }
        if let allOf = schema["allOf"]?.arrayValue, allOf.count == 1 {
            return convert(allOf[0])
        }
        if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true { return .untyped }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true { return .scalar }
        let atomicMap = schema["x-kubernetes-map-type"]?.stringValue == "atomic"
        switch primaryType(schema["type"]) {
        case "object":
            let elements = schema["additionalProperties"].flatMap { $0.objectValue != nil ? convert($0) : nil }
            var fields: [String: FieldType] = [:]
            for (field, property) in schema["properties"]?.objectValue ?? [:] {
                fields[field] = convert(property)
            }
            if fields.isEmpty, elements == nil { return atomicMap ? .map(FieldMap(atomic: true)) : .untyped }
            let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            return .map(FieldMap(fields: fields, elements: elements, atomic: atomicMap, required: required))
        case "array":
            let items = schema["items"].map { convert($0) } ?? .untyped
            return .list(FieldList(elements: items, relationship: relationship(schema, items: items)))
        case nil:
            return schema["properties"] != nil ? convert(schema.merging(type: "object")) : .untyped
        default:
            return .scalar
        }
    }

    static func relationship(_ schema: JSON, items: FieldType) -> FieldList.Relationship {
        switch schema["x-kubernetes-list-type"]?.stringValue {
        case "set": return .set
        case "map":
            let keys = schema["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return .map(keys: keys, defaults: defaults(items))
        case "atomic": return .atomic
        default: break
        }
        let strategy = schema["x-kubernetes-patch-strategy"]?.stringValue ?? ""
        guard strategy == "merge" || strategy == "merge,retainKeys" else { return .atomic }
        if let key = schema["x-kubernetes-patch-merge-key"]?.stringValue {
            return .map(keys: [key], defaults: defaults(items))
        }
        return .set
    }

    private static func defaults(_ items: FieldType) -> [String: JSON] {
        if case .named(let name) = items { return keyDefaults[name] ?? [:] }
        return [:]
    }

    /// `"string"` or the non-null member of `["string", "null"]`.
    private static func primaryType(_ type: JSON?) -> String? {
        switch type {
        case .string(let s): return s
        case .array(let types): return types.compactMap(\.stringValue).first { $0 != "null" }
        default: return nil
        }
    }
}

private extension JSON {
    func merging(type: String) -> JSON {
        var copy = self
        copy["type"] = .string(type)
        return copy
    }
}
