import APIMachinery

/// Upstream ValidateContainerResourceRequirements: names are standard container resources or
/// extended resources, quantities are non-negative, and a request never exceeds its limit.
enum ResourceRequirementsValidation {
    static let standardContainerResources: Set<String> = ["cpu", "memory", "ephemeral-storage"]

    static func validate(_ resources: JSON?, _ path: FieldPath) -> [FieldError] {
        guard let resources, resources.objectValue != nil else { return [] }
        var errs: [FieldError] = []
        let limPath = path.child("limits")
        let reqPath = path.child("requests")
        var limits: [String: Quantity] = [:]
        for (name, value) in resources["limits"]?.objectValue ?? [:] {
            let p = limPath.key(name)
            errs += validateResourceName(name, p)
            if let q = FieldValidation.quantity(value, p, errors: &errs) {
                errs += validateQuantityValue(name, q, p)
                limits[name] = q
            }
        }
        for (name, value) in resources["requests"]?.objectValue ?? [:] {
            let p = reqPath.key(name)
            errs += validateResourceName(name, p)
            guard let q = FieldValidation.quantity(value, p, errors: &errs) else { continue }
            errs += validateQuantityValue(name, q, p)
            if let limit = limits[name] {
                if q != limit && !isOvercommitAllowed(name) {
                    errs.append(.invalid(reqPath, q.canonical, "must be equal to \(name) limit of \(limit.canonical)"))
                } else if q > limit {
                    errs.append(.invalid(reqPath, q.canonical, "must be less than or equal to \(name) limit of \(limit.canonical)"))
                }
            } else if !isOvercommitAllowed(name) {
                errs.append(.required(limPath, "Limit must be set for non overcommitable resources"))
            }
        }
        return errs
    }

    /// Upstream ValidateResourceQuantityValue.
    static func validateQuantityValue(_ name: String, _ q: Quantity, _ path: FieldPath) -> [FieldError] {
        var errs = FieldValidation.nonnegativeQuantity(q, path)
        if isIntegerResource(name), !q.isWholeNumber {
            errs.append(.invalid(path, q.canonical, FieldValidation.isNotIntegerErrorMsg))
        }
        return errs
    }

    /// Upstream validateContainerResourceName.
    static func validateResourceName(_ name: String, _ path: FieldPath) -> [FieldError] {
        var errs = FieldValidation.qualifiedName(name, path)
        if !name.contains("/") {
            if !standardContainerResources.contains(name) && !name.hasPrefix("hugepages-") {
                errs.append(.invalid(path, name, "must be a standard resource for containers"))
            }
        } else if !isNative(name) && name.hasPrefix("requests.") {
            errs.append(.invalid(path, name, "doesn't follow extended resource name standard"))
        }
        return errs
    }

    static func isNative(_ name: String) -> Bool { !name.contains("/") || name.contains("kubernetes.io/") }
    static func isOvercommitAllowed(_ name: String) -> Bool { isNative(name) && !name.hasPrefix("hugepages-") }
    /// Extended resources and hugepages are counted in whole units.
    static func isIntegerResource(_ name: String) -> Bool { !isNative(name) }
}
