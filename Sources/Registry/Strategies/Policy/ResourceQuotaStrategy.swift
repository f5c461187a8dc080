import APIMachinery

/// core/v1 ResourceQuotas (pkg/registry/core/resourcequota/strategy.go, ValidateResourceQuota):
/// quota names and non-negative amounts, scopes and scope selectors as `ResourceQuotaScopeValidation`
/// checks them. The status is the quota controller's.
public struct ResourceQuotaStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.resourceQuotas }

    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = nil
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        var errs = Self.validateList(spec["hard"], FieldPath("spec.hard"))
        errs += ResourceQuotaScopeValidation.validate(spec)
        errs += Self.validateList(object[path: "status", "hard"], FieldPath("status.hard"))
        errs += Self.validateList(object[path: "status", "used"], FieldPath("status.used"))
        return errs
    }

    static func validateList(_ list: JSON?, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        for (name, value) in list?.objectValue ?? [:] {
            let entryPath = path.key(name)
            errs += FieldValidation.qualifiedName(name, entryPath)
            if let quantity = FieldValidation.quantity(value, entryPath, errors: &errs) {
                errs += FieldValidation.nonnegativeQuantity(quantity, entryPath)
            }
        }
        return errs
    }
}
