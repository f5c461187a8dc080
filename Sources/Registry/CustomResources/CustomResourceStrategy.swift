import APIMachinery
import Foundation

/// One served version of a custom resource (apiextensions-apiserver's pkg/registry/customresource
/// strategy): what the generic store needs to serve it like a built-in kind. Made from an
/// Established CRD by `CustomResourceServing`, and replaced whenever the CRD changes.
public struct CustomResourceStrategy: ResourceStrategy {
    public let resource: APIResource
    /// The CRD this version belongs to, as it was when the strategy was made.
    public let definition: CustomResourceDefinitionView
    public let version: CustomResourceDefinitionView.Version
    /// The version's compiled schema (the seam to the schema library).
    let schema: any CustomResourceSchema
    let table: CustomResourceTable

    init(definition: CustomResourceDefinitionView, version: CustomResourceDefinitionView.Version, schema: any CustomResourceSchema) {
        self.definition = definition
        self.version = version
        self.schema = schema
        self.resource = Self.resource(definition, version)
        self.table = CustomResourceTable(columns: version.printerColumns)
    }

    /// The resource as discovery states it, from the CRD's accepted names (upstream serves those,
    /// not `spec.names`, so a conflicting name is never served).
    static func resource(_ crd: CustomResourceDefinitionView, _ version: CustomResourceDefinitionView.Version) -> APIResource {
        let names = crd.acceptedNames
        var subresources: [String] = []
        if version.hasStatusSubresource { subresources.append("status") }
        if version.scale != nil { subresources.append("scale") }
        var resource = APIResource(group: crd.group, version: version.name, kind: names.kind, plural: names.plural,
                                   shortNames: names.shortNames, namespaced: crd.namespaced, categories: names.categories,
                                   subresources: subresources, definition: definitionName(crd.group, version.name, names.kind))
        resource.singular = names.singular.isEmpty ? names.kind.lowercased() : names.singular
        resource.listKind = names.listKind.isEmpty ? names.kind + "List" : names.listKind
        resource.listDefinition = definitionName(crd.group, version.name, resource.listKind)
        return resource
    }

    /// The OpenAPI definition name upstream's builder gives a custom kind: the group reversed, then
    /// version and kind (`stable.example.com` v1 CronTab → `com.example.stable.v1.CronTab`).
    static func definitionName(_ group: String, _ version: String, _ kind: String) -> String {
        (group.split(separator: ".").reversed().map(String.init) + [version, kind]).joined(separator: ".")
    }

    /// The kind's schema as the schema library publishes it for OpenAPI, if it does.
    public var publishedSchema: JSON? { schema.publishedSchema(group: resource.group, version: resource.version, kind: resource.kind) }

    public var tracksGeneration: Bool { true }
    public var validatesKubeFinalizerNames: Bool { false }
    public var hasStatusSubresource: Bool { version.hasStatusSubresource }
    public var scale: CustomResourceDefinitionView.Scale? { version.scale }

    /// Custom resources' names are DNS-1123 subdomains, as upstream's customResourceStrategy checks.
    public var nameValidator: NameValidator { NameValidation.nameIsDNSSubdomain }

    /// Upstream's decoder defaults after pruning (`CustomResourceDecoding`); nothing else here.
    public func applyDefaults(_ object: inout JSON) {}

    /// Versions other than the storage version need a conversion: with `None` objects are served as
    /// stored; a `Webhook` conversion is accepted in the CRD but Kubelite calls no webhooks, so
    /// such versions answer 503 rather than serve unconverted objects.
    public func checkConversion() throws(APIError) {
        guard definition.conversionStrategy == "Webhook", let storage = definition.storageVersion, storage != version.name else { return }
        throw APIError(code: 503, reason: "ServiceUnavailable",
                       message: "conversion webhook for \(resource.gvk) is unavailable: Kubelite does not call conversion webhooks (storage version \(storage))")
    }

    /// A CRD being deleted takes no new objects (upstream's crdHandler answers MethodNotSupported).
    public func admit(_ object: inout JSON, cluster: ClusterLookup) throws(APIError) {
        guard definition.isTerminating else { return }
        throw APIError(code: 405, reason: "MethodNotAllowed", message: "create not allowed while custom resource definition is terminating",
                       details: APIError.Details(group: resource.group, kind: resource.plural))
    }

    /// With the status subresource, a create may not set status. Objects are stored in the storage
    /// version whatever version wrote them (the `None` conversion changes only apiVersion; the API
    /// server turns them back into the version each request names).
    public func prepareForCreate(_ object: inout JSON) {
        if hasStatusSubresource { object["status"] = nil }
        storeInStorageVersion(&object)
    }

    /// With the status subresource, the main resource keeps the stored status.
    public func prepareForUpdate(_ object: inout JSON, old: JSON) {
        storeInStorageVersion(&object)
        guard hasStatusSubresource else { return }
        object["status"] = old["status"]
    }

    private func storeInStorageVersion(_ object: inout JSON) {
        guard let storage = definition.storageVersion, storage != version.name else { return }
        object["apiVersion"] = .string("\(resource.group)/\(storage)")
    }

    /// Upstream moves generation on any change outside metadata (status included when there is no
    /// status subresource, since then status is written through the main resource).
    public func specChanged(_ object: JSON, old: JSON) -> Bool {
        var new = object, previous = old
        new["metadata"] = nil; previous["metadata"] = nil
        return !SemanticEquality.equal(new, previous)
    }

    public func validate(_ object: JSON) -> [FieldError] { schema.validate(object, old: nil) + validateScale(object) }
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] { schema.validate(object, old: old) + validateScale(object) }

    /// Upstream's customResourceValidator checks the scale paths' values: replicas an integer, the
    /// selector a string.
    private func validateScale(_ object: JSON) -> [FieldError] {
        guard let scale else { return [] }
        var errors: [FieldError] = []
        for path in [scale.specReplicasPath, scale.statusReplicasPath] {
            guard let value = CustomResourceJSONPath(path)?.evaluate(object).first, value != .null else { continue }
            let label = CustomResourceJSONPath.fieldLabel(path)
            guard let replicas = value.intValue, case .int = value else {
                errors.append(.invalid(FieldPath(label), value, "must be an integer")); continue
            }
            if replicas < 0 { errors.append(.invalid(FieldPath(label), value, "must be greater than or equal to 0")) }
            if replicas > Int64(Int32.max) { errors.append(.invalid(FieldPath(label), value, "must be less than or equal to \(Int32.max)")) }
        }
        if let selectorPath = scale.labelSelectorPath,
           let value = CustomResourceJSONPath(selectorPath)?.evaluate(object).first, value != .null, value.stringValue == nil {
            errors.append(.invalid(FieldPath(CustomResourceJSONPath.fieldLabel(selectorPath)), value, "must be a string"))
        }
        return errors
    }

    /// metadata.name, metadata.namespace and the version's `selectableFields`, as upstream's
    /// selectableFieldSet renders them (strings as is, booleans and integers in Go's form).
    public func selectableFields(_ object: JSON) -> [String: String] {
        var fields = Self.metadataFields(object)
        for jsonPath in version.selectableFields {
            let value = CustomResourceJSONPath(jsonPath)?.evaluate(object).first
            let text: String
            switch value {
            case .string(let s)?: text = s
            case .bool(let b)?: text = b ? "true" : "false"
            case .int(let i)?: text = String(i)
            default: text = ""
            }
            fields[CustomResourceJSONPath.fieldLabel(jsonPath)] = text
        }
        return fields
    }

    public var tableColumns: [TableColumn] { table.columns }
    public func tableCells(_ object: JSON, now: Date) -> [JSON] { table.cells(object, now: now) }
    /// The CRD's printer columns can change without the object's revision changing: no row is kept.
    public func tableCellTemplate(_ object: JSON) -> [TableCell]? { nil }
}
