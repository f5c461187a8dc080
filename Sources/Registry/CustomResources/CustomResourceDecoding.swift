import APIMachinery

/// Decodes a custom object as upstream's unstructured decoder with schema coercion does:
/// `metadata` strictly as an ObjectMeta (unknown metadata fields reported, mistyped ones
/// refused), everything else pruned by the version's schema, whose pruned paths become the
/// strict `unknown field` errors. Defaults are applied by the store after this.
enum CustomResourceDecoding {
    static let objectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

    static func decode(_ object: JSONObject, strategy: CustomResourceStrategy, schemas: SchemaSet,
                       duplicateFields: [String]) -> StructuralDecoder.Result {
        // Only metadata has a Go type; the rest is free-form until the schema prunes it.
        var properties: [String: SchemaField] = [:]
        for key in object.keys { properties[key] = SchemaField(type: .any) }
        properties["apiVersion"] = SchemaField(type: .string(format: nil, enumValues: nil))
        properties["kind"] = SchemaField(type: .string(format: nil, enumValues: nil))
        properties["metadata"] = SchemaField(type: .ref(objectMeta))
        let shape = SchemaType.object(properties: properties, required: [], additionalProperties: nil)
        var result = StructuralDecoder(schemas: schemas).decode(.object(object), as: shape, duplicateFields: duplicateFields)
        guard result.decodeError == nil else { return result }
        let pruned = strategy.schema.prune(&result.object)
        result.unknownFields += pruned
        for path in pruned where result.strictErrors.count < StrictDecoding.maxErrors {
            result.strictErrors.append(StrictDecoding.unknownField(path))
        }
        return result
    }
}
