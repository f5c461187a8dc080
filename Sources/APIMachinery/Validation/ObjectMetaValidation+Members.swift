extension ObjectMetaValidation {
    /// Upstream v1validation.ValidateLabels: keys are qualified names, values label values; every
    /// error carries the path of the whole map, as upstream's does.
    public static func validateLabels(_ labels: JSON?, path: FieldPath) -> [FieldError] {
        guard let object = labels?.objectValue else { return [] }
        var errs: [FieldError] = []
        for (key, value) in object {
            errs += validateLabelName(key, path: path)
            let text = value.stringValue ?? ""
            errs += NameValidation.isValidLabelValue(text).map { .invalid(path, text, $0) }
        }
        return errs
    }

    /// Upstream ValidateLabelName.
    public static func validateLabelName(_ name: String, path: FieldPath) -> [FieldError] {
        NameValidation.isQualifiedName(name).map { .invalid(path, name, $0) }
    }

    /// Upstream ValidateAnnotations: keys are qualified names ignoring case; keys and values together
    /// may not exceed 256 KiB.
    public static func validateAnnotations(_ annotations: JSON?, path: FieldPath) -> [FieldError] {
        guard let object = annotations?.objectValue else { return [] }
        var errs: [FieldError] = []
        var totalSize = 0
        for (key, value) in object {
            errs += NameValidation.isQualifiedName(key.lowercased()).map { .invalid(path, key, $0) }
            totalSize += key.utf8.count + (value.stringValue?.utf8.count ?? 0)
        }
        if totalSize > totalAnnotationSizeLimitB {
            errs.append(.tooLong(path, totalAnnotationSizeLimitB))
        }
        return errs
    }

    /// Upstream ValidateOwnerReferences. Errors name the list's path without an index, as upstream's do.
    public static func validateOwnerReferences(_ references: JSON?, path: FieldPath) -> [FieldError] {
        guard let list = references?.arrayValue else { return [] }
        var errs: [FieldError] = []
        var firstController = ""
        for ref in list {
            let apiVersion = ref["apiVersion"]?.stringValue ?? ""
            let kind = ref["kind"]?.stringValue ?? ""
            let (group, version) = groupVersion(apiVersion)
            if version.isEmpty {
                errs.append(.invalid(path.child("apiVersion"), apiVersion, "version must not be empty"))
            }
            if kind.isEmpty { errs.append(.invalid(path.child("kind"), kind, "must not be empty")) }
            let name = ref["name"]?.stringValue ?? ""
            if name.isEmpty { errs.append(.invalid(path.child("name"), name, "must not be empty")) }
            let uid = ref["uid"]?.stringValue ?? ""
            if uid.isEmpty { errs.append(.invalid(path.child("uid"), uid, "must not be empty")) }
            if group.isEmpty && version == "v1" && kind == "Event" {
                errs.append(.invalid(path, ref, "/v1, Kind=Event is disallowed from being an owner"))
            }
            if ref["controller"]?.boolValue == true {
                let current = "\(kind)/\(name)"
                if firstController.isEmpty {
                    firstController = current
                } else {
                    errs.append(.invalid(path, references, "Only one reference can have Controller set to true. Found \"true\" in references for \(firstController) and \(current)"))
                }
            }
        }
        return errs
    }

    /// schema.ParseGroupVersion as FromAPIVersionAndKind uses it: an unparsable value (two slashes)
    /// yields an empty group and version.
    static func groupVersion(_ apiVersion: String) -> (group: String, version: String) {
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return ("", apiVersion)
        case 2: return (String(parts[0]), String(parts[1]))
        default: return ("", "")
        }
    }

    /// Upstream ValidateFinalizers: qualified names, and not both `orphan` and `foregroundDeletion`.
    public static func validateFinalizers(_ finalizers: JSON?, path: FieldPath) -> [FieldError] {
        let names = strings(finalizers)
        var errs: [FieldError] = []
        for name in names {
            errs += NameValidation.isQualifiedName(name).map { .invalid(path, name, $0) }
        }
        if names.contains("orphan") && names.contains("foregroundDeletion") {
            errs.append(.invalid(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"))
        }
        return errs
    }

    /// The built-in kinds' extra rule (core validateKubeFinalizerName): a finalizer without a `/`
    /// must be a standard one. Reported per index, after the generic checks.
    public static func validateKubeFinalizerNames(_ finalizers: JSON?, path: FieldPath) -> [FieldError] {
        strings(finalizers).enumerated().compactMap { i, name in
            guard !name.contains("/"), !standardFinalizers.contains(name) else { return nil }
            return .invalid(path.index(i), name, "name is neither a standard finalizer name nor is it fully qualified")
        }
    }

    /// The finalizer check for a namespace's `spec.finalizers` (core validateFinalizerName): a
    /// qualified name that, without a prefix, is a standard finalizer.
    public static func validateNamespaceFinalizerName(_ name: String, path: FieldPath) -> [FieldError] {
        var errs = NameValidation.isQualifiedName(name).map { FieldError.invalid(path, name, $0) }
        if !name.contains("/") && !standardFinalizers.contains(name) {
            errs.append(.invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified"))
        }
        return errs
    }

    /// Upstream ValidateManagedFields.
    public static func validateManagedFields(_ managedFields: JSON?, path: FieldPath) -> [FieldError] {
        guard let list = managedFields?.arrayValue else { return [] }
        var errs: [FieldError] = []
        for (i, entry) in list.enumerated() {
            let entryPath = path.index(i)
            let operation = entry["operation"]?.stringValue ?? ""
            if operation != "Apply" && operation != "Update" {
                errs.append(.invalid(entryPath.child("operation"), operation, "must be `Apply` or `Update`"))
            }
            if let fieldsType = entry["fieldsType"]?.stringValue, !fieldsType.isEmpty, fieldsType != "FieldsV1" {
                errs.append(.invalid(entryPath.child("fieldsType"), fieldsType, "must be `FieldsV1`"))
            }
            errs += validateFieldManager(entry["manager"]?.stringValue ?? "", path: entryPath.child("manager"))
            if let subresource = entry["subresource"]?.stringValue, subresource.utf8.count > 256 {
                errs.append(.tooLong(entryPath.child("subresource"), 256))
            }
        }
        return errs
    }

    /// Upstream ValidateFieldManager: at most 128 bytes, printable characters only.
    public static func validateFieldManager(_ manager: String, path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        if manager.utf8.count > 128 { errs.append(.tooLong(path, 128)) }
        var offset = 0
        for scalar in manager.unicodeScalars {
            if !isPrintable(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                errs.append(.invalid(path, manager, "invalid character \(code) (at position \(offset))"))
            }
            offset += String(scalar).utf8.count
        }
        return errs
    }

    /// An approximation of Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and
    /// the ASCII space.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }
}
