/// Parameters, bodies and responses shared by the operations, shaped as upstream writes them
/// (`{"in": "query", "name": ..., "schema": {"type": ..., "uniqueItems": true}}`), sorted by name.
extension OpenAPIOperations {
    static func query(_ name: String, _ type: String) -> JSON {
        ["in": "query", "name": .string(name), "schema": ["type": .string(type), "uniqueItems": true]]
    }

    static func pathParameter(_ name: String) -> JSON {
        ["in": "path", "name": .string(name), "required": true, "schema": ["type": "string", "uniqueItems": true]]
    }

    static let listParameters: [JSON] = [
        query("allowWatchBookmarks", "boolean"), query("continue", "string"), query("fieldSelector", "string"),
        query("labelSelector", "string"), query("limit", "integer"), query("resourceVersion", "string"),
        query("resourceVersionMatch", "string"), query("sendInitialEvents", "boolean"), query("timeoutSeconds", "integer"),
        query("watch", "boolean"),
    ]

    /// create, replace and (with `force`) patch.
    static let writeParameters: [JSON] = [
        query("dryRun", "string"), query("fieldManager", "string"), query("fieldValidation", "string"),
    ]

    static let deleteParameters: [JSON] = [
        query("dryRun", "string"), query("gracePeriodSeconds", "integer"), query("orphanDependents", "boolean"),
        query("propagationPolicy", "string"),
    ]

    static let deleteCollectionParameters: [JSON] = [
        query("continue", "string"), query("dryRun", "string"), query("fieldSelector", "string"),
        query("gracePeriodSeconds", "integer"), query("labelSelector", "string"), query("limit", "integer"),
        query("orphanDependents", "boolean"), query("propagationPolicy", "string"), query("resourceVersion", "string"),
        query("resourceVersionMatch", "string"), query("sendInitialEvents", "boolean"), query("timeoutSeconds", "integer"),
    ]

    static func sortedByName(_ parameters: [JSON]) -> [JSON] {
        parameters.sorted { ($0["name"]?.stringValue ?? "") < ($1["name"]?.stringValue ?? "") }
    }

    static func schemaRef(_ definition: String) -> JSON {
        ["schema": ["$ref": .string(schemaPrefix + definition)]]
    }

    static func body(_ definition: String, required: Bool = true) -> JSON {
        var body: JSONObject = ["content": ["*/*": schemaRef(definition)]]
        if required { body["required"] = true }
        return .object(body)
    }

    static func response(_ definition: String, _ description: String, mediaTypes: [String] = objectMediaTypes) -> JSON {
        let content = JSONObject(uniqueKeysWithValues: mediaTypes.map { ($0, schemaRef(definition)) })
        return ["content": .object(content), "description": .string(description)]
    }

    /// `a StatefulSet`, `an Endpoints`, as upstream's descriptions read.
    static func article(_ kind: String) -> String {
        guard let first = kind.first else { return "a" }
        return "AEIOU".contains(first) ? "an" : "a"
    }
}
