import APIMachinery

/// Namespaces (pkg/registry/core/namespace/strategy.go, SetDefaults_Namespace, ValidateNamespace).
public struct NamespaceStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.namespaces }
    public var nameValidator: NameValidator { NameValidation.namespaceName }
    static let nameLabel = "kubernetes.io/metadata.name"

    /// The `kubernetes.io/metadata.name` label always equals the name (set again after
    /// generateName resolves, as upstream's Canonicalize does).
    public func applyDefaults(_ object: inout JSON) {
        Self.labelWithName(&object)
        object.setDefault("spec", .object([:]))
        object.modifyPath("status") { $0.setDefaultString("phase", "Active") }
    }

    static func labelWithName(_ object: inout JSON) {
        guard let name = object[path: "metadata", "name"]?.stringValue, !name.isEmpty else { return }
        object.modifyPath("metadata", "labels") { $0[nameLabel] = .string(name) }
    }

    /// New namespaces are Active and carry the `kubernetes` finalizer.
    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = ["phase": "Active"]
        object.modifyPath("spec") { spec in
            var finalizers = spec.array("finalizers")
            if !finalizers.contains("kubernetes") { finalizers.append("kubernetes") }
            spec["finalizers"] = .array(finalizers)
        }
        Self.labelWithName(&object)
    }

    /// Finalizers change only through the finalize subresource, status through status.
    public func prepareForUpdate(_ object: inout JSON, old: JSON) {
        object.modifyPath("spec") { $0["finalizers"] = old[path: "spec", "finalizers"] }
        object["status"] = old["status"]
        Self.labelWithName(&object)
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let path = FieldPath("spec.finalizers")
        return (object[path: "spec"]?.array("finalizers") ?? []).flatMap {
            ObjectMetaValidation.validateNamespaceFinalizerName($0.stringValue ?? "", path: path)
        }
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] { [] }
}
