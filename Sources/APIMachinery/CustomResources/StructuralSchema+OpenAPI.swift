extension StructuralSchema {
    static let objectMetaReference = "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    static let metadataDescription = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
    static let apiVersionDescription = "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
    static let kindDescription = "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
    static let embeddedAPIVersionDescription = "apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
    static let embeddedKindDescription = "kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"

    /// The schema of the kind as `/openapi/v3` publishes it (upstream's builder with V2 off: value
    /// validations, nullable, defaults and `x-kubernetes-validations` kept): int-or-string nodes unfolded
    /// to `anyOf: [integer, string]`, TypeMeta and an ObjectMeta reference added at the root and at every
    /// embedded resource, and the `x-kubernetes-group-version-kind` extension that kubectl matches on.
    public func openAPIV3Schema(group: String, version: String, kind: String) -> JSON {
        var schema = Self.published(root.raw)
        schema["properties", default: [:]]["apiVersion"] = ["description": .string(Self.apiVersionDescription), "type": "string"]
        schema["properties", default: [:]]["kind"] = ["description": .string(Self.kindDescription), "type": "string"]
        schema["properties", default: [:]]["metadata"] = Self.metadataReference
        schema["x-kubernetes-group-version-kind"] = [["group": .string(group), "kind": .string(kind), "version": .string(version)]]
        return schema
    }

    static var metadataReference: JSON {
        ["allOf": [["$ref": .string(objectMetaReference)]], "description": .string(metadataDescription)]
    }

    private static func published(_ node: JSON) -> JSON {
        guard case .object(var members) = node else { return node }
        if case .object(let properties)? = members["properties"] {
            members["properties"] = .object(properties.mapValues(published))
        }
        if let items = members["items"], items.objectValue != nil { members["items"] = published(items) }
        if let additional = members["additionalProperties"], additional.objectValue != nil {
            members["additionalProperties"] = published(additional)
        }
        if members["x-kubernetes-int-or-string"] == true, !Self.hasIntOrStringAnyOf(members) {
            members["anyOf"] = [["type": "integer"], ["type": "string"]]
        }
        if members["x-kubernetes-embedded-resource"] == true {
            var properties = members["properties"]?.objectValue ?? [:]
            properties["apiVersion"] = ["description": .string(embeddedAPIVersionDescription), "type": "string"]
            properties["kind"] = ["description": .string(embeddedKindDescription), "type": "string"]
            properties["metadata"] = metadataReference
            members["properties"] = .object(properties)
            var required = members["required"]?.arrayValue ?? []
            for name in ["kind", "apiVersion"] where !required.contains(.string(name)) { required.append(.string(name)) }
            members["required"] = .array(required)
        }
        return .object(members)
    }

    private static func hasIntOrStringAnyOf(_ members: JSONObject) -> Bool {
        let pattern: JSON = [["type": "integer"], ["type": "string"]]
        if members["anyOf"] == pattern { return true }
        return members["allOf"]?.arrayValue?.first?["anyOf"] == pattern
    }
}

private extension JSON {
    /// Member access with a default, for building nested objects in place.
    subscript(key: String, default defaultValue: JSON) -> JSON {
        get { self[key] ?? defaultValue }
        set { self[key] = newValue }
    }
}
