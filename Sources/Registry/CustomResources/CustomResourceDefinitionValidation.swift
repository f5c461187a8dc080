import APIMachinery

/// Upstream's ValidateCustomResourceDefinition (apiextensions validation.go) for what the
/// serving half needs: the name, group, names, scope, versions, conversion, subresources, printer
/// columns and selectable fields, with upstream's field paths and messages. Schemas themselves
/// are checked by the schema library (`CustomResourceSchemaCompiler.validateSchemas`).
struct CustomResourceDefinitionValidation {
    let schemas: any CustomResourceSchemaCompiler

    static let printerColumnTypes = ["boolean", "date", "integer", "number", "string"]
    static let printerColumnFormats = ["byte", "date", "date-time", "double", "float", "int32", "int64", "password"]
    /// Upstream's maxSelectableFields.
    static let maxSelectableFields = 8

    func validate(_ object: JSON) -> [FieldError] {
        let view = CustomResourceDefinitionView(object)
        var errors: [FieldError] = []
        let required = view.names.plural + "." + view.group
        if !view.name.isEmpty, view.name != required {
            errors.append(.invalid(FieldPath("metadata.name"), view.name, #"must be spec.names.plural+"."+spec.group"#))
        }
        errors += validateSpec(view, FieldPath("spec"))
        errors += validateNames(view.acceptedNames, FieldPath("status.acceptedNames"))
        errors += validateStoredVersions(view)
        return errors
    }

    /// ValidateCustomResourceDefinitionUpdate: group and plural are immutable (they are the name);
    /// scope and kind too once the CRD is established, as objects are stored under them.
    func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        var errors = validate(object)
        let new = CustomResourceDefinitionView(object), previous = CustomResourceDefinitionView(old)
        let spec = FieldPath("spec")
        if previous.isEstablished {
            if new.scope != previous.scope { errors.append(.invalid(spec.child("scope"), new.scope, "field is immutable")) }
            if new.names.kind != previous.names.kind {
                errors.append(.invalid(spec.child("names").child("kind"), new.names.kind, "field is immutable"))
            }
        }
        if new.group != previous.group { errors.append(.invalid(spec.child("group"), new.group, "field is immutable")) }
        if new.names.plural != previous.names.plural {
            errors.append(.invalid(spec.child("names").child("plural"), new.names.plural, "field is immutable"))
        }
        return errors
    }

    private func validateSpec(_ view: CustomResourceDefinitionView, _ path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let group = view.group
        if group.isEmpty {
            errors.append(.required(path.child("group")))
        } else if case let messages = NameValidation.isDNS1123Subdomain(group), !messages.isEmpty {
            errors.append(.invalid(path.child("group"), group, messages.joined(separator: ",")))
        } else if !group.contains(".") {
            errors.append(.invalid(path.child("group"), group, "should be a domain with at least one dot"))
        }
        switch view.scope {
        case "": errors.append(.required(path.child("scope")))
        case "Cluster", "Namespaced": break
        default: errors.append(.notSupported(path.child("scope"), .string(view.scope), ["Cluster", "Namespaced"]))
        }
        errors += validateVersions(view, path.child("versions"))
        let names = path.child("names")
        for (field, value) in [("plural", view.names.plural), ("singular", view.names.singular),
                               ("kind", view.names.kind), ("listKind", view.names.listKind)] where value.isEmpty {
            errors.append(.required(names.child(field)))
        }
        errors += validateNames(view.names, names)
        errors += validateConversion(view.object[path: "spec", "conversion"], path.child("conversion"))
        return errors
    }

    private func validateVersions(_ view: CustomResourceDefinitionView, _ path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let versions = view.versions
        let rawVersions = view.object[path: "spec", "versions"]
        var seen = Set<String>(), unique = true
        for (i, version) in versions.enumerated() {
            let at = path.index(i)
            if !seen.insert(version.name).inserted { unique = false }
            if case let messages = NameValidation.isDNS1035Label(version.name), !messages.isEmpty {
                errors.append(.invalid(at.child("name"), version.name, messages.joined(separator: ",")))
            }
            errors += validateSubresources(version.object["subresources"], at.child("subresources"))
            errors += validatePrinterColumns(version, at.child("additionalPrinterColumns"))
            errors += validateSelectableFields(version, at.child("selectableFields"))
        }
        errors += schemas.validateSchemas(ofCRDSpec: view.object["spec"] ?? .null)
        if !unique { errors.append(.invalid(path, rawVersions, "must contain unique version names")) }
        if versions.filter(\.storage).count != 1 {
            errors.append(.invalid(path, rawVersions, "must have exactly one version marked as storage version"))
        }
        if !versions.isEmpty, !versions.contains(where: \.served) {
            errors.append(.invalid(path, rawVersions, "must have at least one version marked as served"))
        }
        return errors
    }

    /// ValidateCustomResourceDefinitionNames, for `spec.names` and `status.acceptedNames`.
    func validateNames(_ names: CustomResourceDefinitionView.Names, _ path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        for (field, value) in [("plural", names.plural), ("singular", names.singular)] where !value.isEmpty {
            let messages = NameValidation.isDNS1035Label(value)
            if !messages.isEmpty { errors.append(.invalid(path.child(field), value, messages.joined(separator: ","))) }
        }
        for (field, value) in [("kind", names.kind), ("listKind", names.listKind)] where !value.isEmpty {
            let messages = NameValidation.isDNS1035Label(value.lowercased())
            if !messages.isEmpty {
                errors.append(.invalid(path.child(field), value, "may have mixed case, but should otherwise match: " + messages.joined(separator: ",")))
            }
        }
        for (i, shortName) in names.shortNames.enumerated() {
            let messages = NameValidation.isDNS1035Label(shortName)
            if !messages.isEmpty { errors.append(.invalid(path.child("shortNames").index(i), shortName, messages.joined(separator: ","))) }
        }
        if !names.kind.isEmpty, names.kind == names.listKind {
            errors.append(.invalid(path.child("listKind"), names.listKind, "kind and listKind may not be the same"))
        }
        for (i, category) in names.categories.enumerated() {
            let messages = NameValidation.isDNS1035Label(category)
            if !messages.isEmpty { errors.append(.invalid(path.child("categories").index(i), category, messages.joined(separator: ","))) }
        }
        return errors
    }

    /// `None`, or `Webhook` with its client config (accepted; conversions are answered unavailable).
    private func validateConversion(_ conversion: JSON?, _ path: FieldPath) -> [FieldError] {
        guard let conversion else { return [] }
        let strategy = conversion["strategy"]?.stringValue ?? ""
        switch strategy {
        case "None":
            if conversion["webhook"] != nil {
                return [.forbidden(path.child("webhook"), "should not be set when strategy is not set to Webhook")]
            }
            return []
        case "Webhook":
            guard let webhook = conversion["webhook"] else {
                return [.required(path.child("webhook"), "required when strategy is set to Webhook")]
            }
            var errors: [FieldError] = []
            if (webhook["conversionReviewVersions"]?.arrayValue ?? []).isEmpty {
                errors.append(.required(path.child("webhook").child("conversionReviewVersions"),
                                        "must include at least one of v1, v1beta1"))
            }
            let config = webhook["clientConfig"]
            let hasURL = config?["url"] != nil, hasService = config?["service"] != nil
            if hasURL == hasService {
                errors.append(.required(path.child("webhook").child("clientConfig"), "exactly one of url or service is required"))
            }
            return errors
        case "":
            return [.required(path.child("strategy"))]
        default:
            return [.notSupported(path.child("strategy"), .string(strategy), ["None", "Webhook"])]
        }
    }

    /// ValidateCustomResourceDefinitionSubresources: the scale paths are simple JSON paths under
    /// .spec and .status.
    private func validateSubresources(_ subresources: JSON?, _ path: FieldPath) -> [FieldError] {
        guard let scale = subresources?["scale"] else { return [] }
        var errors: [FieldError] = []
        for (field, prefix, under) in [("specReplicasPath", ".spec.", ".spec"), ("statusReplicasPath", ".status.", ".status")] {
            let at = FieldPath("\(path).scale.\(field)")
            let value = scale[field]?.stringValue ?? ""
            if value.isEmpty { errors.append(.required(at)); continue }
            if let error = Self.simpleJSONPathError(value, at) { errors.append(error); continue }
            if !value.hasPrefix(prefix) { errors.append(.invalid(at, value, "should be a json path under \(under)")) }
        }
        if let selector = scale["labelSelectorPath"]?.stringValue, !selector.isEmpty {
            let at = FieldPath("\(path).scale.labelSelectorPath")
            if let error = Self.simpleJSONPathError(selector, at) {
                errors.append(error)
            } else if !selector.hasPrefix(".spec.") && !selector.hasPrefix(".status.") {
                errors.append(.invalid(at, selector, "should be a json path under either .spec or .status"))
            }
        }
        return errors
    }

    static func simpleJSONPathError(_ path: String, _ at: FieldPath) -> FieldError? {
        if path.isEmpty { return .invalid(at, path, "must not be empty") }
        if !path.hasPrefix(".") { return .invalid(at, path, "must be a simple json path starting with .") }
        return nil
    }

    private func validatePrinterColumns(_ version: CustomResourceDefinitionView.Version, _ path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        for (i, column) in version.printerColumns.enumerated() {
            let at = path.index(i)
            if column.name.isEmpty { errors.append(.required(at.child("name"))) }
            if column.type.isEmpty {
                errors.append(.required(at.child("type"), "must not be empty"))
            } else if !Self.printerColumnTypes.contains(column.type) {
                errors.append(.notSupported(at.child("type"), .string(column.type), Self.printerColumnTypes))
            }
            if !column.format.isEmpty, !Self.printerColumnFormats.contains(column.format) {
                errors.append(.notSupported(at.child("format"), .string(column.format), Self.printerColumnFormats))
            }
            if column.jsonPath.isEmpty {
                errors.append(.required(at.child("jsonPath")))
            } else if let error = Self.simpleJSONPathError(column.jsonPath, at.child("jsonPath")) {
                errors.append(error)
            }
        }
        return errors
    }

    private func validateSelectableFields(_ version: CustomResourceDefinitionView.Version, _ path: FieldPath) -> [FieldError] {
        let fields = version.selectableFields
        var errors: [FieldError] = []
        if fields.count > Self.maxSelectableFields {
            errors.append(.tooMany(path, actual: fields.count, max: Self.maxSelectableFields))
        }
        var seen = Set<String>()
        for (i, jsonPath) in fields.enumerated() {
            let at = path.index(i).child("jsonPath")
            if let error = Self.simpleJSONPathError(jsonPath, at) { errors.append(error); continue }
            if !seen.insert(jsonPath).inserted { errors.append(.duplicate(at, .string(jsonPath))) }
            if jsonPath == ".metadata.name" || jsonPath == ".metadata.namespace" {
                errors.append(.invalid(at, jsonPath, "must not select metadata.name or metadata.namespace, which are always selectable"))
            }
        }
        return errors
    }

    /// Every version in `status.storedVersions` must still be in `spec.versions`.
    private func validateStoredVersions(_ view: CustomResourceDefinitionView) -> [FieldError] {
        let names = Set(view.versions.map(\.name))
        return view.storedVersions.enumerated().compactMap { i, version in
            names.contains(version) ? nil
                : .invalid(FieldPath("status.storedVersions").index(i), version, "must appear in spec.versions")
        }
    }
}
