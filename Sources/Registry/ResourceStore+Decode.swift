import APIMachinery
import Storage

extension ResourceStore {
    /// Turns a request body into the kind's object as upstream's typed decoding would: checks
    /// apiVersion and kind against the URL, drops unknown fields (rejecting them under Strict),
    /// reports type errors, then applies the kind's defaults.
    func decode(_ body: RequestBody, options: WriteOptions) throws(APIError) -> (object: JSON, warnings: [String]) {
        var (result, warnings) = try decodeWithoutDefaults(body, options: options)
        applyDefaults(&result)
        return (result, warnings)
    }

    /// The kind's defaults, as the decoder applies them after decoding.
    func applyDefaults(_ object: inout JSON) {
        strategy.applyDefaults(&object)
        // Upstream's custom resource decoder defaults after pruning, before admission and validation.
        (strategy as? CustomResourceStrategy)?.schema.applyDefaults(&object)
    }

    /// `decode` up to the defaults: type meta checked, unknown fields dropped (or refused), types checked.
    func decodeWithoutDefaults(_ body: RequestBody, options: WriteOptions) throws(APIError) -> (object: JSON, warnings: [String]) {
        var object = try TypeMetaDecoding.object(of: body, expectedKind: resource.gvk.kind)
        let expected = resource.gvk
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        if !apiVersion.isEmpty, apiVersion != expected.apiVersion {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(expected.apiVersion))")
        }
        if !kind.isEmpty, kind != expected.kind {
            let version = apiVersion.isEmpty ? expected.version : apiVersion
            if schemas.kinds.keys.contains(where: { $0.kind == kind && $0.apiVersion == version }) {
                throw APIError.badRequest("\(kind) in version \"\(version)\" cannot be handled as a \(expected.kind): converting (\(version).\(kind)) to (\(expected.kind)): unknown conversion")
            }
            throw APIError.badRequest("no kind \"\(kind)\" is registered for version \"\(version)\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"")
        }
        object["apiVersion"] = .string(expected.apiVersion)
        object["kind"] = .string(expected.kind)
        // Keep the conventional field order: apiVersion, kind, metadata first.
        object.sort { Self.fieldRank($0.key) < Self.fieldRank($1.key) }

        let custom = strategy as? CustomResourceStrategy
        let decoded = custom.map { CustomResourceDecoding.decode(object, strategy: $0, schemas: schemas, duplicateFields: body.duplicateFields) }
            ?? StructuralDecoder(schemas: schemas).decode(.object(object), as: .ref(resource.definition),
                                                          duplicateFields: body.duplicateFields)
        if let reason = decoded.decodeError {
            throw StrictDecoding.decodeError(expected, reason)
        }
        var warnings: [String] = []
        switch options.fieldValidation {
        case .strict:
            if !decoded.strictErrors.isEmpty { throw StrictDecoding.strictError(expected, decoded.strictErrors) }
        case .warn:
            warnings = decoded.strictErrors
        case .ignore:
            break
        }
        return (decoded.object, warnings)
    }

    static func fieldRank(_ key: String) -> Int {
        switch key {
        case "apiVersion": return 0
        case "kind": return 1
        case "metadata": return 2
        case "spec": return 3
        case "status": return 5
        default: return 4
        }
    }
}
