/// List merging for strategic merge patch: merge-keyed lists of objects, primitive sets, the
/// `$patch` list items, `$deleteFromPrimitiveList` and `$setElementOrder`.
extension StrategicMergePatch {
    typealias Failure = StrategicMergePatchFailure

    /// `mergePatchIntoOriginal`: each `$setElementOrder/<list>` merges its list now and then orders
    /// the result: items named in the directive follow its order, server-only items keep their
    /// relative order and are interleaved by their position in the live list.
    static func mergeOrderedLists(_ original: inout JSONObject, _ patch: inout JSONObject, _ schema: PatchSchema) throws(Failure) {
        for key in Array(patch.keys) where key.hasPrefix(setElementOrderPrefix) {
            guard let directive = patch.removeValue(forKey: key) else { continue }
            guard case .array(let order) = directive else {
                throw .badArgType(expected: "[]interface {}", directive)
            }
            let listKey = try extractKey(key, prefix: setElementOrderPrefix)
            let originalList = original[listKey]
            let patchList = patch[listKey]
            var originalItems: [JSON] = []
            var patchItems: [JSON] = []
            if let originalList {
                guard case .array(let a) = originalList else { throw .badArgType(expected: "[]interface {}", originalList) }
                originalItems = a
            }
            if let patchList {
                guard case .array(let a) = patchList else { throw .badArgType(expected: "[]interface {}", patchList) }
                patchItems = a
            }
            let (sub, meta) = schema.listMember(listKey)
            let strategy = try PatchSchema.strategy(meta)
            let mergeKey = meta.mergeKey
            try validateAgainstOrder(patchItems, order, mergeKey: mergeKey)

            let merged: [JSON]
            switch (originalList != nil, patchList != nil) {
            case (true, false): merged = originalItems
            case (false, true): merged = removingDirectives(.array(patchItems))?.arrayValue ?? []
            case (true, true):
                merged = try mergeSliceHandler(originalItems, patchItems, sub, strategy: strategy, mergeKey: mergeKey, isDeleteList: false)
            case (false, false): continue
            }
            let (inPatch, serverOnly) = try partition(merged, by: order, mergeKey: mergeKey)
            let isMap = try elementIsObject(originalItems, patchItems)
            original[listKey] = .array(try normalizeElementOrder(inPatch, serverOnly, patchOrder: order, serverOrder: originalItems, mergeKey: mergeKey, isMap: isMap))
            patch.removeValue(forKey: listKey)
        }
    }

    /// `validatePatchWithSetOrderList`: the patch's items (other than deletions and directives)
    /// must appear in the `$setElementOrder` list, in the same relative order.
    static func validateAgainstOrder(_ patchItems: [JSON], _ order: [JSON], mergeKey: String) throws(Failure) {
        guard !order.isEmpty, !patchItems.isEmpty else { return }
        let nonDelete = mergeKey.isEmpty ? patchItems : try splitDeletions(patchItems).kept
        var p = 0, s = 0
        while p < nonDelete.count && s < order.count {
            if nonDelete[p].objectValue?[directiveMarker] != nil {
                p += 1
                continue
            }
            if try mergeKeyValueEqual(nonDelete[p], order[s], mergeKey: mergeKey) { p += 1 }
            s += 1
        }
        if p < nonDelete.count && s >= order.count {
            throw .other("The order in patch list:\n\(GoFormat.format(.array(patchItems)))\n doesn't match \(setElementOrderPrefix) list:\n\(GoFormat.format(.array(order)))\n")
        }
    }

    private static func mergeKeyValueEqual(_ left: JSON, _ right: JSON, mergeKey: String) throws(Failure) -> Bool {
        if mergeKey.isEmpty { return left == right }
        guard case .object(let l) = left else { throw .badArgType(expected: "map[string]interface {}", left) }
        guard case .object(let r) = right else { throw .badArgType(expected: "map[string]interface {}", right) }
        guard let lv = l[mergeKey] else { throw .noMergeKey(l, mergeKey) }
        guard let rv = r[mergeKey] else { throw .noMergeKey(r, mergeKey) }
        return lv == rv
    }

    /// `extractToDeleteItems`: list items carrying `$patch: delete` go last.
    private static func splitDeletions(_ items: [JSON]) throws(Failure) -> (kept: [JSON], deleted: [JSON]) {
        var kept: [JSON] = [], deleted: [JSON] = []
        for item in items {
            guard case .object(let m) = item else { throw .badArgType(expected: "map[string]interface {}", item) }
            if m[directiveMarker] == "delete" { deleted.append(item) } else { kept.append(item) }
        }
        return (kept, deleted)
    }

    /// `mergeSliceHandler`: merge strategy (or a deletion list) merges, anything else replaces.
    static func mergeSliceHandler(_ original: [JSON], _ patch: [JSON], _ elementSchema: PatchSchema, strategy: String, mergeKey: String, isDeleteList: Bool) throws(Failure) -> [JSON] {
        guard strategy == "merge" || isDeleteList else { return patch }
        return try mergeSlice(original, patch, elementSchema, mergeKey: mergeKey, isDeleteList: isDeleteList)
    }

    /// `mergeSlice`.
    static func mergeSlice(_ originalIn: [JSON], _ patchIn: [JSON], _ elementSchema: PatchSchema, mergeKey: String, isDeleteList: Bool) throws(Failure) -> [JSON] {
        if originalIn.isEmpty && patchIn.isEmpty { return originalIn }
        let isMap = try elementIsObject(originalIn, patchIn)
        var original = originalIn
        var patch = patchIn
        let merged: [JSON]
        if !isMap {
            if isDeleteList {
                let doomed = Set(patch)
                return original.filter { !doomed.contains($0) }
            }
            var seen = Set<JSON>()
            merged = (original + patch).filter { seen.insert($0).inserted }
        } else {
            if mergeKey.isEmpty { throw .other("cannot merge lists without merge key for \(elementSchema.kindName)") }
            (original, patch) = try applySpecialElements(original, patch, mergeKey: mergeKey)
            merged = try mergeByKey(original, patch, mergeKey: mergeKey, elementSchema)
        }
        let (inPatch, serverOnly) = try partition(merged, by: patch, mergeKey: mergeKey)
        return try normalizeElementOrder(inPatch, serverOnly, patchOrder: patch, serverOrder: original, mergeKey: mergeKey, isMap: isMap)
    }

    /// `mergeSliceWithSpecialElements`: `$patch: delete` items remove every match from the
    /// original, `$patch: replace` makes the patch's other items the whole list.
    private static func applySpecialElements(_ originalIn: [JSON], _ patch: [JSON], mergeKey: String) throws(Failure) -> ([JSON], [JSON]) {
        var original = originalIn
        var plain: [JSON] = []
        var replace = false
        for item in patch {
            let m = item.objectValue ?? [:]
            guard let directive = m[directiveMarker] else {
                plain.append(item)
                continue
            }
            switch directive {
            case "delete":
                guard let value = m[mergeKey] else { throw .noMergeKey(m, mergeKey) }
                try checkAllObjects(original)
                original.removeAll { $0.objectValue?[mergeKey] == value }
            case "replace":
                replace = true
            case "merge":
                throw .other("merging lists cannot yet be specified in the patch")
            default:
                throw .badPatchType(directive, m)
            }
        }
        return replace ? (plain, []) : (original, plain)
    }

    private static func checkAllObjects(_ list: [JSON]) throws(Failure) {
        if let i = list.firstIndex(where: { $0.objectValue == nil }) {
            throw .other("value for key \(i) is not a map.")
        }
    }

    /// `mergeSliceWithoutSpecialElements`: each patch item merges into the first original item
    /// with the same merge key value, or is appended (as sent, nulls and all).
    private static func mergeByKey(_ originalIn: [JSON], _ patch: [JSON], mergeKey: String, _ elementSchema: PatchSchema) throws(Failure) -> [JSON] {
        var original = originalIn
        var firstIndex: [JSON: Int] = [:]
        var scanned = 0
        for item in patch {
            let m = item.objectValue ?? [:]
            guard let value = m[mergeKey] else { throw .noMergeKey(m, mergeKey) }
            // Index lazily up to the first match, so a non-object item after it is not an error,
            // as in findMapInSliceBasedOnKeyValue.
            while firstIndex[value] == nil && scanned < original.count {
                guard case .object(let candidate) = original[scanned] else {
                    throw .other("value for key \(scanned) is not a map.")
                }
                if let v = candidate[mergeKey], firstIndex[v] == nil { firstIndex[v] = scanned }
                scanned += 1
            }
            if let i = firstIndex[value], case .object(let target) = original[i] {
                original[i] = .object(try mergeMap(target, m, elementSchema))
            } else {
                original.append(item)
                if scanned == original.count - 1 { scanned += 1 }
                if firstIndex[value] == nil { firstIndex[value] = original.count - 1 }
            }
        }
        return original
    }
}
