import APIMachinery
import Storage

/// The patch formats of `PATCH` requests, named by their Content-Type.
public enum PatchType: String, Sendable, CaseIterable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"
}

extension ResourceStore {
    /// PATCH: apply the patch to the current object and store the result through the update path,
    /// retrying on concurrent writes (the patch is re-applied to the newer object) as upstream does.
    public func patch(namespace: String?, name: String, type: PatchType, patch: RequestBody,
                      options: WriteOptions) throws(APIError) -> WriteResult {
        try self.patch(namespace: namespace, name: name, type: type, patch: patch, options: options, scope: .resource)
    }

    /// PATCH through `scope`: a subresource's patch sees the whole object, and its preparation
    /// decides what of the result survives.
    func patch(namespace: String?, name: String, type: PatchType, patch: RequestBody,
               options: WriteOptions, scope: UpdateScope, subresource: String = "") throws(APIError) -> WriteResult {
        if type == .apply {
            return try apply(namespace: namespace, name: name, config: patch, options: options, scope: scope, subresource: subresource)
        }
        // Custom resources have no Go struct to carry patch strategies (upstream's
        // customresource_handler refuses the type as an unknown format).
        if type == .strategic, strategy is CustomResourceStrategy {
            throw APIError.unsupportedMediaType(type.rawValue, accepted: [PatchType.json.rawValue, PatchType.merge.rawValue, PatchType.apply.rawValue])
        }
        var warnings: [String] = []
        let result = try replace(namespace: namespace, name: name, options: options, scope: scope,
                                 subresource: subresource, rebasesOnConflict: true) {
            (current: StoredObject) throws(APIError) -> JSON in
            var original = current.object
            // A custom object stored in another version is patched as the URL's version serves it.
            if strategy is CustomResourceStrategy { original["apiVersion"] = .string(resource.apiVersion) }
            let patched = try applyPatch(type, patch.value, to: original)
            try TypeMetaDecoding.checkPatched(patched)
            let decoded = try decodePatched(patched, original: original, type: type, patch: patch, options: options)
            warnings = decoded.warnings
            var object = decoded.object
            try checkNamespace(&object, urlNamespace: namespace)
            return object
        }
        return WriteResult(object: result.object, bytes: result.bytes, warnings: warnings)
    }

    /// The patched object decoded as upstream's patcher decodes it (then defaulted). A merge or
    /// strategic patch changes only the top-level members it names: the others are the stored
    /// object's, which was decoded and defaulted when written, and decoding them again gives them
    /// back unchanged. So only the named members are decoded (their unknown fields and type errors
    /// are all the patch can add), the rest are kept, and the defaults run on the whole object.
    func decodePatched(_ patched: JSON, original: JSON, type: PatchType, patch: RequestBody,
                       options: WriteOptions) throws(APIError) -> (object: JSON, warnings: [String]) {
        let body = RequestBody(value: patched, duplicateFields: patch.duplicateFields)
        guard type == .merge || type == .strategic, !(strategy is CustomResourceStrategy),
              case .object(let members) = patch.value, !members.keys.contains(where: { $0.hasPrefix("$") }),
              case .object(var object) = patched, case .object = original else {
            return try decode(body, options: options)
        }
        var touched = JSONObject()
        for (key, value) in object where key == "apiVersion" || key == "kind" || members[key] != nil { touched[key] = value }
        let (decoded, warnings) = try decodeWithoutDefaults(RequestBody(value: .object(touched), duplicateFields: patch.duplicateFields),
                                                            options: options)
        for key in touched.keys { object[key] = decoded[key] }
        // The decoder sets both, even where the patch removed them.
        object["apiVersion"] = decoded["apiVersion"]
        object["kind"] = decoded["kind"]
        object.sort { Self.fieldRank($0.key) < Self.fieldRank($1.key) }
        var result = JSON.object(object)
        applyDefaults(&result)
        return (result, warnings)
    }

    func applyPatch(_ type: PatchType, _ patch: JSON, to original: JSON) throws(APIError) -> JSON {
        switch type {
        case .json:
            return try JSONPatch.apply(patch, to: original)
        case .merge:
            guard case .object = patch else {
                throw APIError.badRequest("error decoding patch: json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
            }
            return JSONMergePatch.apply(patch, to: original)
        case .strategic:
            guard case .object = patch else {
                throw APIError.badRequest("error decoding patch: json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
            }
            return try StrategicMergePatch.apply(patch, to: original, schema: .ref(resource.definition), schemas: schemas)
        case .apply:
            throw APIError.unsupportedMediaType(type.rawValue, accepted: [])
        }
    }
}
