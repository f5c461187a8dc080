extension SchemaSet {
    /// The structural schemas of every served kind and what they reference, parsed once on first
    /// use from the generated `UpstreamDefinitions` (Swift's static initialisation is lazy and
    /// thread-safe).
    public static let upstream: SchemaSet = SchemaSet(openAPIDefinitions: upstreamDefinitions)

    /// The same definitions as OpenAPI v3 component schemas (descriptions stripped, references as
    /// `#/components/schemas/<name>`), keyed by definition name: what the OpenAPI documents embed.
    public static let upstreamDefinitions: JSONObject = {
        guard let parsed = try? JSONParser.parse(UpstreamDefinitions.json), let object = parsed.value.objectValue else {
            preconditionFailure("UpstreamDefinitions.swift does not hold a JSON object; regenerate it")
        }
        return object
    }()

    /// Builds a schema set from OpenAPI definitions (v3 component form or JSON-schema form with
    /// `["x", "null"]` types and `#/$defs/` references). `kinds` comes from each definition's
    /// `x-kubernetes-group-version-kind`.
    public init(openAPIDefinitions: JSONObject) {
        var definitions: [String: SchemaType] = [:]
        var kinds: [GroupVersionKind: String] = [:]
        for (name, schema) in openAPIDefinitions {
            definitions[name] = SchemaSet.schemaType(name: name, schema)
            for gvk in schema["x-kubernetes-group-version-kind"]?.arrayValue ?? [] {
                guard let kind = gvk["kind"]?.stringValue, let version = gvk["version"]?.stringValue else { continue }
                kinds[GroupVersionKind(group: gvk["group"]?.stringValue ?? "", version: version, kind: kind)] = name
            }
        }
        self.init(definitions: definitions, kinds: kinds)
    }

    static let intOrStringDefinition = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
    static let quantityDefinition = "io.k8s.apimachinery.pkg.api.resource.Quantity"

    /// Converts one schema node. Named custom-marshalled types are recognised by name first, as
    /// their JSON schema (a `oneOf`) does not say how Go decodes them.
    static func schemaType(name: String? = nil, _ schema: JSON) -> SchemaType {
        if name == intOrStringDefinition { return .intOrString }
        if name == quantityDefinition { return .quantity }
        if let ref = schema["$ref"]?.stringValue {
            return .ref(String(ref.split(separator: "/").last ?? Substring(ref)))
        }
        // A property wrapped as upstream v3 does: `allOf: [{$ref}]`.
        if let allOf = schema["allOf"]?.arrayValue, allOf.count == 1 {
            return schemaType(allOf[0])
        }
        if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true { return .any }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true || schema["format"]?.stringValue == "int-or-string" {
            return .intOrString
        }
        let format = schema["format"]?.stringValue
        switch primaryType(schema["type"]) {
        case "object":
            let additional = schema["additionalProperties"].flatMap { $0.objectValue != nil ? schemaType($0) : nil }
            guard let properties = schema["properties"]?.objectValue else {
                return additional.map { .object(properties: [:], required: [], additionalProperties: $0) } ?? .any
            }
            var fields: [String: SchemaField] = [:]
            for (field, propertySchema) in properties {
                fields[field] = schemaField(propertySchema)
            }
            let required = schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return .object(properties: fields, required: required, additionalProperties: additional)
        case "array":
            return .array(items: schema["items"].map { schemaType($0) } ?? .any)
        case "string":
            let values = schema["enum"]?.arrayValue?.compactMap(\.stringValue)
            return .string(format: format, enumValues: values)
        case "integer": return .integer(format: format)
        case "number": return .number(format: format)
        case "boolean": return .boolean
        default: return .any
        }
    }

    static func schemaField(_ schema: JSON) -> SchemaField {
        SchemaField(
            type: schemaType(schema),
            patchStrategy: schema["x-kubernetes-patch-strategy"]?.stringValue,
            patchMergeKey: schema["x-kubernetes-patch-merge-key"]?.stringValue,
            listType: schema["x-kubernetes-list-type"]?.stringValue,
            listMapKeys: schema["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue))
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
