import APIMachinery

/// node.k8s.io/v1 RuntimeClasses (pkg/apis/node/validation, ValidateRuntimeClass): the handler is
/// a DNS label and immutable; the pod overhead is a list of valid quantities.
public struct RuntimeClassStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.runtimeClasses }

    public func validate(_ object: JSON) -> [FieldError] {
        let handler = object["handler"]?.stringValue ?? ""
        var errs: [FieldError] = handler.isEmpty ? [.required(FieldPath("handler"), "")] : FieldValidation.dns1123Label(handler, FieldPath("handler"))
        if let fixed = object[path: "overhead", "podFixed"]?.objectValue {
            let path = FieldPath("overhead.podFixed")
            for (name, value) in fixed {
                errs += ResourceRequirementsValidation.validateResourceName(name, path.key(name))
                if let quantity = FieldValidation.quantity(value, path.key(name), errors: &errs) {
                    errs += ResourceRequirementsValidation.validateQuantityValue(name, quantity, path.key(name))
                }
            }
        }
        if let selector = object[path: "scheduling", "nodeSelector"] {
            errs += ObjectMetaValidation.validateLabels(selector, path: FieldPath("scheduling.nodeSelector"))
        }
        return errs
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        validate(object) + FieldValidation.immutable(object["handler"], old["handler"], FieldPath("handler"))
    }
}
