import APIMachinery
import Foundation

/// apiextensions.k8s.io/v1 CustomResourceDefinitions (apiextensions-apiserver's
/// pkg/registry/customresourcedefinition strategy): upstream's defaults, a status kept apart from
/// the spec and `status.storedVersions` kept up to date.
public struct CustomResourceDefinitionStrategy: ResourceStrategy {
    /// Checks each version's schema when a CRD is written (the schema library, once merged).
    let schemas: any CustomResourceSchemaCompiler

    public init(schemas: any CustomResourceSchemaCompiler = .current) { self.schemas = schemas }

    public var resource: APIResource { ResourceCatalog.customResourceDefinitions }
    public var tracksGeneration: Bool { true }
    public var validatesKubeFinalizerNames: Bool { false }

    /// SetDefaults_CustomResourceDefinitionSpec: singular is the lower-case kind, listKind the kind
    /// plus `List`, conversion `None`; a webhook service's port 443.
    public func applyDefaults(_ object: inout JSON) {
        guard case .object = object["spec"] ?? .null else { return }
        let kind = object[path: "spec", "names", "kind"]?.stringValue ?? ""
        if (object[path: "spec", "names", "singular"]?.stringValue ?? "").isEmpty, !kind.isEmpty {
            object[path: "spec", "names", "singular"] = .string(kind.lowercased())
        }
        if (object[path: "spec", "names", "listKind"]?.stringValue ?? "").isEmpty, !kind.isEmpty {
            object[path: "spec", "names", "listKind"] = .string(kind + "List")
        }
        if object[path: "spec", "conversion"] == nil {
            object[path: "spec", "conversion"] = ["strategy": "None"]
        }
        if object[path: "spec", "conversion", "webhook", "clientConfig", "service"] != nil,
           object[path: "spec", "conversion", "webhook", "clientConfig", "service", "port"] == nil {
            object[path: "spec", "conversion", "webhook", "clientConfig", "service", "port"] = 443
        }
    }

    /// A new CRD starts with an empty status naming its storage version as stored.
    public func prepareForCreate(_ object: inout JSON) {
        var status: JSONObject = ["conditions": [], "acceptedNames": ["plural": "", "kind": ""], "storedVersions": []]
        if let storage = CustomResourceDefinitionView(object).storageVersion { status["storedVersions"] = [.string(storage)] }
        object["status"] = .object(status)
    }

    /// The status is kept; a new storage version joins `storedVersions`.
    public func prepareForUpdate(_ object: inout JSON, old: JSON) {
        object["status"] = old["status"]
        let view = CustomResourceDefinitionView(object)
        if let storage = view.storageVersion, !view.storedVersions.contains(storage) {
            object[path: "status", "storedVersions"] = .array((view.storedVersions + [storage]).map(JSON.string))
        }
    }

    /// The name must be `<plural>.<group>` (upstream's nameValidationFn for CRDs, applied here as
    /// the store's name validator sees only the name).
    public func validate(_ object: JSON) -> [FieldError] {
        CustomResourceDefinitionValidation(schemas: schemas).validate(object)
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        CustomResourceDefinitionValidation(schemas: schemas).validateUpdate(object, old: old)
    }
}
