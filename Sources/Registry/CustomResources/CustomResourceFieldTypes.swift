import APIMachinery

/// The field types server-side apply uses for one custom resource version: its structural
/// schema's list types, map keys and map types, converted as for the built-in kinds (upstream's CRD
/// handler builds its type converter from the same schema), with the built-in definitions it
/// references (ObjectMeta). A version without a usable schema falls back to deduced types.
struct CustomResourceFieldTypes: FieldTypeSchema {
    let kind: GroupVersionKind
    let root: FieldType

    func objectType(_ kind: GroupVersionKind) -> FieldType? {
        kind == self.kind ? root : OpenAPIFieldTypes.upstream.objectType(kind)
    }

    func definition(_ name: String) -> FieldType? { OpenAPIFieldTypes.upstream.definition(name) }

    /// The store's field types for `strategy`: the custom kind's when its schema publishes one.
    static func provider(for strategy: any ResourceStrategy) -> @Sendable () -> any FieldTypeSchema {
        guard let custom = strategy as? CustomResourceStrategy else { return { OpenAPIFieldTypes.upstream } }
        let resource = custom.resource
        guard let published = custom.schema.publishedSchema(group: resource.group, version: resource.version, kind: resource.kind) else {
            return { OpenAPIFieldTypes.upstream }
        }
        let types = CustomResourceFieldTypes(kind: resource.gvk, root: OpenAPIFieldTypes.convert(published))
        return { types }
    }
}
