/// Validation of `metadata`, mirroring k8s.io/apimachinery/pkg/api/validation (ValidateObjectMeta,
/// ValidateObjectMetaUpdate) plus the finalizer rule that k8s.io/kubernetes/pkg/apis/core/validation
/// adds for every built-in kind.
///
/// Works on the raw JSON so strategies need no typed ObjectMeta. Wrongly typed members (a number
/// where a string belongs) are left to schema validation, which runs first; here they read as absent.
public enum ObjectMetaValidation {
    public static let fieldImmutableErrorMsg = "field is immutable"
    public static let totalAnnotationSizeLimitB = 256 * (1 << 10)
    public static let isNegativeErrorMsg = "must be greater than or equal to 0"
    /// Finalizers without a domain prefix that built-in kinds accept (pkg/apis/core/helper).
    public static let standardFinalizers: Set<String> = ["kubernetes", "orphan", "foregroundDeletion"]

    /// Upstream ValidateObjectMeta for a create, after name generation.
    ///
    /// - Parameters:
    ///   - namespaced: the kind is namespaced (namespace required) or cluster-scoped (namespace forbidden).
    ///   - nameValidator: the kind's name rule, e.g. `NameValidation.nameIsDNSSubdomain`.
    ///   - kubeFinalizers: apply the built-in kinds' rule that an unprefixed finalizer must be a
    ///     standard one; false for custom resources, which only need qualified names.
    public static func validate(_ metadata: JSON?, namespaced: Bool, nameValidator: (String, Bool) -> [String],
                                path: FieldPath = "metadata", kubeFinalizers: Bool = true) -> [FieldError] {
        let meta = metadata ?? .object([:])
        var errs: [FieldError] = []
        let generateName = meta["generateName"]?.stringValue ?? ""
        if !generateName.isEmpty {
            errs += nameValidator(generateName, true).map { .invalid(path.child("generateName"), generateName, $0) }
        }
        let name = meta["name"]?.stringValue ?? ""
        if name.isEmpty {
            errs.append(.required(path.child("name"), "name or generateName is required"))
        } else {
            errs += nameValidator(name, false).map { .invalid(path.child("name"), name, $0) }
        }
        let namespace = meta["namespace"]?.stringValue ?? ""
        if namespaced {
            if namespace.isEmpty {
                errs.append(.required(path.child("namespace")))
            } else {
                errs += NameValidation.namespaceName(namespace, false).map { .invalid(path.child("namespace"), namespace, $0) }
            }
        } else if !namespace.isEmpty {
            errs.append(.forbidden(path.child("namespace"), "not allowed on this type"))
        }
        if let generation = meta["generation"]?.intValue, generation < 0 {
            errs.append(.invalid(path.child("generation"), .int(generation), isNegativeErrorMsg))
        }
        errs += validateLabels(meta["labels"], path: path.child("labels"))
        errs += validateAnnotations(meta["annotations"], path: path.child("annotations"))
        errs += validateOwnerReferences(meta["ownerReferences"], path: path.child("ownerReferences"))
        errs += validateFinalizers(meta["finalizers"], path: path.child("finalizers"))
        errs += validateManagedFields(meta["managedFields"], path: path.child("managedFields"))
        if kubeFinalizers { errs += validateKubeFinalizerNames(meta["finalizers"], path: path.child("finalizers")) }
        return errs
    }

    /// Upstream ValidateObjectMetaUpdate: identity and timestamps are immutable, generation may not go
    /// back, a resourceVersion is required (the store fills it in for unconditional updates before
    /// validating), and no finalizer may be added once deletion started. Name and namespace are not
    /// re-validated, as upstream: both are immutable. `namespaced` and `nameValidator` are accepted for
    /// symmetry with `validate` and not needed by these rules.
    public static func validateUpdate(_ new: JSON?, old: JSON?, namespaced: Bool = true,
                                      nameValidator: ((String, Bool) -> [String])? = nil,
                                      path: FieldPath = "metadata", kubeFinalizers: Bool = true) -> [FieldError] {
        let newMeta = new ?? .object([:]), oldMeta = old ?? .object([:])
        var errs: [FieldError] = []
        if let deletion = oldMeta["deletionTimestamp"], !deletion.isNull {
            let oldFinalizers = Set(strings(oldMeta["finalizers"]))
            let extra = Set(strings(newMeta["finalizers"])).subtracting(oldFinalizers).sorted()
            if !extra.isEmpty {
                let list = "[]string{" + extra.map(FieldError.quote).joined(separator: ", ") + "}"
                errs.append(.forbidden(path.child("finalizers"), "no new finalizers can be added if the object is being deleted, found new finalizers \(list)"))
            }
        }
        let resourceVersion = newMeta["resourceVersion"]?.stringValue ?? ""
        if resourceVersion.isEmpty {
            errs.append(.invalid(path.child("resourceVersion"), resourceVersion, "must be specified for an update"))
        }
        let newGeneration = newMeta["generation"]?.intValue ?? 0, oldGeneration = oldMeta["generation"]?.intValue ?? 0
        if newGeneration < oldGeneration {
            errs.append(.invalid(path.child("generation"), .int(newGeneration), "must not be decremented"))
        }
        for (field, emptyValue) in [("name", JSON.string("")), ("namespace", ""), ("uid", ""), ("creationTimestamp", .null),
                                    ("deletionTimestamp", .null), ("deletionGracePeriodSeconds", .null)] {
            let newValue = normalized(newMeta[field], empty: emptyValue), oldValue = normalized(oldMeta[field], empty: emptyValue)
            if newValue != oldValue {
                errs.append(.invalid(path.child(field), newValue, fieldImmutableErrorMsg))
            }
        }
        errs += validateLabels(newMeta["labels"], path: path.child("labels"))
        errs += validateAnnotations(newMeta["annotations"], path: path.child("annotations"))
        errs += validateOwnerReferences(newMeta["ownerReferences"], path: path.child("ownerReferences"))
        errs += validateManagedFields(newMeta["managedFields"], path: path.child("managedFields"))
        if kubeFinalizers { errs += validateKubeFinalizerNames(newMeta["finalizers"], path: path.child("finalizers")) }
        return errs
    }

    /// A missing member and an explicit null/empty value compare equal, as Go's zero values do.
    private static func normalized(_ value: JSON?, empty: JSON) -> JSON {
        guard let value, !value.isNull else { return empty }
        return value
    }

    static func strings(_ value: JSON?) -> [String] {
        value?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
