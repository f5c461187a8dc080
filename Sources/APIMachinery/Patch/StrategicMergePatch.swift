/// Strategic merge patch (`application/strategic-merge-patch+json`, the default of `kubectl apply`
/// and `kubectl patch`) as k8s.io/apimachinery/pkg/util/strategicpatch applies it server-side
/// (`StrategicMergeMapPatch`: parallel lists merged, unmatched nulls ignored).
///
/// Objects merge member by member and `null` deletes. Lists whose field has
/// `x-kubernetes-patch-strategy: merge` merge by `x-kubernetes-patch-merge-key` (or as sets for
/// primitives); other lists are replaced. Directives: `$patch` (replace/delete on objects;
/// replace/delete on list items), `$setElementOrder/<list>`, `$retainKeys`,
/// `$deleteFromPrimitiveList/<list>`. Like upstream, items a patch adds to a merged list come
/// before the server's own items unless `$setElementOrder` says otherwise.
public enum StrategicMergePatch {
    /// Nesting limit of the patch. The merge recurses along the patch's nesting, and at this depth
    /// it still fits a 512 KiB thread stack in a debug build. Upstream (Go, growable stacks) has no
    /// limit below its decoder's 10,000; built-in objects nest under 20 levels.
    public static let maxPatchDepth = 100

    public static func apply(_ patch: JSON, to original: JSON, schema: SchemaType, schemas: SchemaSet) throws(APIError) -> JSON {
        let patchObject: JSONObject
        switch patch {
        case .object(let o): patchObject = o
        case .null: return original
        default:
            throw .badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
        }
        guard JSONTree.depth(patch) <= maxPatchDepth else {
            throw .badRequest("json: exceeded max depth of \(maxPatchDepth) for a strategic merge patch")
        }
        do {
            let merged = try mergeMap(original.objectValue ?? [:], patchObject, PatchSchema(schema, schemas))
            return .object(merged)
        } catch {
            throw error.apiError
        }
    }

    static let directiveMarker = "$patch"
    static let retainKeysDirective = "$retainKeys"
    static let setElementOrderPrefix = "$setElementOrder"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList"

    /// `mergeMap`. The patch's keys are taken in the order sent (Go visits them in random order).
    static func mergeMap(_ originalMap: JSONObject, _ patchMap: JSONObject, _ schema: PatchSchema) throws(StrategicMergePatchFailure) -> JSONObject {
        if let directive = patchMap[directiveMarker] {
            switch directive {
            case "replace":
                var p = patchMap
                p.removeValue(forKey: directiveMarker)
                return p
            case "delete":
                return [:]
            default:
                throw .badPatchType(directive, patchMap)
            }
        }
        var original = originalMap
        var patch = patchMap
        try applyRetainKeys(&original, &patch)
        try mergeOrderedLists(&original, &patch, schema)

        for (patchKey, patchV) in patch {
            var key = patchKey
            var isDeleteList = false
            if patchKey.hasPrefix(deleteFromPrimitiveListPrefix) {
                key = try extractKey(patchKey, prefix: deleteFromPrimitiveListPrefix)
                isDeleteList = true
            }
            if patchV.isNull {
                original.removeValue(forKey: key)
                continue
            }
            guard let originalV = original[key], sameGoType(originalV, patchV) else {
                if !isDeleteList {
                    original[key] = cleanedAddition(patchV)
                }
                continue
            }
            switch (originalV, patchV) {
            case (.object(let o), .object(let p)):
                let (sub, meta) = schema.member(key)
                let strategy = try PatchSchema.strategy(meta)
                original[key] = .object(strategy == "replace" ? p : try mergeMap(o, p, sub))
            case (.array(let o), .array(let p)):
                let (sub, meta) = schema.listMember(key)
                let strategy = try PatchSchema.strategy(meta)
                original[key] = .array(try mergeSliceHandler(o, p, sub, strategy: strategy, mergeKey: meta.mergeKey, isDeleteList: isDeleteList))
            default:
                original[key] = patchV
            }
        }
        return original
    }

    /// A value added where the original has none (or one of another type): nulls inside are
    /// discarded and any object carrying `$patch` is dropped (`discardNullValuesFromPatch` then
    /// `removeDirectives`). Returns nil when the value itself is such an object.
    static func cleanedAddition(_ value: JSON) -> JSON? {
        JSONTree.rebuild(value, object: { o in
            o[directiveMarker] != nil ? nil : .object(o.filter { !$0.value.isNull })
        })
    }

    /// `removeDirectives` alone: drops every object carrying `$patch`; nil when `value` is one.
    static func removingDirectives(_ value: JSON) -> JSON? {
        JSONTree.rebuild(value, object: { o in o[directiveMarker] != nil ? nil : .object(o) })
    }

    /// Go's `reflect.TypeOf(a) == reflect.TypeOf(b)` for decoded JSON.
    static func sameGoType(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.object, .object), (.array, .array), (.string, .string), (.int, .int), (.double, .double), (.bool, .bool): return true
        default: return false
        }
    }

    /// `extractKey`: the list name after `<prefix>/`.
    static func extractKey(_ key: String, prefix: String) throws(StrategicMergePatchFailure) -> String {
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == prefix else {
            throw prefix == deleteFromPrimitiveListPrefix ? .badPrimitiveListFormat : .badSetElementOrderFormat
        }
        return String(parts[1])
    }

    /// `applyRetainKeysDirective`: keeps only the listed keys of the original; every non-null key
    /// of the patch must be listed.
    static func applyRetainKeys(_ original: inout JSONObject, _ patch: inout JSONObject) throws(StrategicMergePatchFailure) {
        guard let directive = patch.removeValue(forKey: retainKeysDirective) else { return }
        guard case .array(let list) = directive else { throw .badRetainKeysFormat }
        let retained = Set(list)
        for (k, v) in patch {
            if v.isNull || k.hasPrefix(deleteFromPrimitiveListPrefix) || k.hasPrefix(setElementOrderPrefix) { continue }
            if !retained.contains(.string(k)) { throw .badRetainKeysFormat }
        }
        original = original.filter { retained.contains(.string($0.key)) }
    }
}
