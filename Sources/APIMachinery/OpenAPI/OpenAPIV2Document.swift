/// The Swagger 2.0 document upstream serves at `/openapi/v2`, derived from the v3 documents: the
/// same paths and schemas in v2's shapes. Clients still read it: kubectl falls back to it to
/// validate what the v3 documents do not name (a `kind: List` file), Helm 3 validates manifests
/// against it, and older client libraries and tools build their models from it.
///
/// The v3 → v2 rules are the ones kube-openapi's two builders differ by:
/// - `#/components/schemas/X` is `#/definitions/X`; a reference wrapped in a one-element `allOf`
///   (v3's way to give a `$ref` siblings) is a plain `$ref` beside those siblings again;
/// - `oneOf` does not exist in v2: IntOrString is `type: string, format: int-or-string`, Quantity
///   `type: string` (the v2 builder's own forms);
/// - a request body is a parameter `in: body` named `body`, listed first; its media types are the
///   operation's `consumes`, the responses' media types its `produces`, and each response carries
///   the schema of its first media type;
/// - a parameter's `schema` is flattened into the parameter (`type`, `uniqueItems`, ...).
public enum OpenAPIV2Document {
    static let v3SchemaPrefix = "#/components/schemas/"
    static let v2SchemaPrefix = "#/definitions/"

    /// The v2 document for the v3 group-version documents given (each as served).
    public static func build(fromV3 documents: [JSON], version: String = OpenAPIDocuments.kubernetesVersion) -> JSON {
        var paths = JSONObject()
        var definitions = JSONObject()
        for document in documents {
            for (path, item) in document[path: "paths"]?.objectValue ?? [:] {
                paths[path] = pathItem(item)
            }
            for (name, schema) in document[path: "components", "schemas"]?.objectValue ?? [:] where definitions[name] == nil {
                definitions[name] = self.schema(schema)
            }
        }
        return OpenAPIDocuments.sortingKeys([
            "definitions": .object(definitions),
            "info": ["title": "Kubernetes", "version": .string(version)],
            "paths": .object(paths),
            "security": [["BearerToken": []]],
            "securityDefinitions": [
                "BearerToken": ["description": "Bearer Token authentication", "in": "header",
                                "name": "authorization", "type": "apiKey"],
            ],
            "swagger": "2.0",
        ])
    }

    static func pathItem(_ item: JSON) -> JSON {
        guard case .object(let object) = item else { return item }
        var out = JSONObject()
        for (key, value) in object {
            if key == "parameters" {
                out[key] = .array((value.arrayValue ?? []).map(parameter))
            } else if key.hasPrefix("x-") {
                out[key] = value
            } else {
                out[key] = operation(value)
            }
        }
        return .object(out)
    }

    static func operation(_ operation: JSON) -> JSON {
        guard case .object(let object) = operation else { return operation }
        var out = JSONObject()
        var parameters: [JSON] = []
        var produces: [String] = []
        for (key, value) in object {
            switch key {
            case "requestBody":
                let content = value[path: "content"]?.objectValue ?? [:]
                out["consumes"] = .array(content.keys.map { JSON.string($0) })
                var body: JSONObject = ["in": "body", "name": "body"]
                if let first = content.values.first, let schema = first[path: "schema"] { body["schema"] = self.schema(schema) }
                if value[path: "required"]?.boolValue == true { body["required"] = true }
                parameters.insert(.object(body), at: 0)
            case "parameters":
                parameters.append(contentsOf: (value.arrayValue ?? []).map(parameter))
            case "responses":
                var responses = JSONObject()
                for (code, response) in value.objectValue ?? [:] {
                    var converted: JSONObject = [:]
                    if let description = response[path: "description"] { converted["description"] = description }
                    let content = response[path: "content"]?.objectValue ?? [:]
                    for type in content.keys where !produces.contains(type) { produces.append(type) }
                    if let first = content.values.first, let schema = first[path: "schema"] { converted["schema"] = self.schema(schema) }
                    responses[code] = .object(converted)
                }
                out["responses"] = .object(responses)
            default:
                out[key] = value
            }
        }
        if !parameters.isEmpty { out["parameters"] = .array(parameters) }
        if !produces.isEmpty { out["produces"] = .array(produces.map { JSON.string($0) }) }
        out["schemes"] = ["https"]
        return .object(out)
    }

    /// A v3 parameter with its `schema` flattened into it, as v2 writes non-body parameters.
    static func parameter(_ parameter: JSON) -> JSON {
        guard case .object(var object) = parameter, let schema = object.removeValue(forKey: "schema")?.objectValue else {
            return parameter
        }
        for (key, value) in schema where object[key] == nil { object[key] = value }
        return .object(object)
    }

    /// One schema in v2's form (recursively).
    static func schema(_ schema: JSON) -> JSON {
        switch schema {
        case .object(var object):
            if let ref = object["$ref"]?.stringValue, ref.hasPrefix(v3SchemaPrefix) {
                object["$ref"] = .string(v2SchemaPrefix + ref.dropFirst(v3SchemaPrefix.count))
            }
            if let allOf = object["allOf"]?.arrayValue, allOf.count == 1, let ref = allOf[0][path: "$ref"]?.stringValue {
                object.removeValue(forKey: "allOf")
                object["$ref"] = .string(ref.hasPrefix(v3SchemaPrefix) ? v2SchemaPrefix + ref.dropFirst(v3SchemaPrefix.count) : ref)
            }
            if object.removeValue(forKey: "oneOf") != nil, object["type"] == nil {
                object["type"] = "string"
            }
            object.removeValue(forKey: "nullable")
            var out = JSONObject()
            for (key, value) in object {
                switch key {
                case "properties", "definitions":
                    var properties = JSONObject()
                    for (name, property) in value.objectValue ?? [:] { properties[name] = self.schema(property) }
                    out[key] = .object(properties)
                case "items", "additionalProperties", "not":
                    out[key] = self.schema(value)
                case "allOf", "anyOf":
                    out[key] = .array((value.arrayValue ?? []).map(self.schema))
                default:
                    out[key] = value  // keywords, `default`, `enum` and vendor extensions as they are
                }
            }
            return .object(out)
        default:
            return schema
        }
    }
}
