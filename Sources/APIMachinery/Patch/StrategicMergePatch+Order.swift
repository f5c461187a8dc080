/// Ordering of merged lists (strategicpatch `normalizeElementOrder` and helpers). Lookups that
/// upstream does by scanning (`index`, `findMapInSliceBasedOnKeyValue`) use first-position tables
/// with the same answers, so large lists stay near-linear.
extension StrategicMergePatch {
    /// `sliceElementType`: whether the (non-empty) lists hold objects; all items must share a type.
    static func elementIsObject(_ first: [JSON], _ second: [JSON]) throws(Failure) -> Bool {
        var kind: Int?
        for item in first + second {
            let k = goTypeCode(item)
            if let kind {
                if kind != k {
                    throw .other("list element types are not identical: \(GoFormat.format(.array([.array(first), .array(second)])))")
                }
            } else {
                if case .array = item { throw .noListOfLists }
                kind = k
            }
        }
        guard let kind else { throw .other("no elements in any of the given slices") }
        return kind == 0
    }

    private static func goTypeCode(_ v: JSON) -> Int {
        switch v {
        case .object: return 0
        case .array: return 1
        case .string: return 2
        case .int: return 3
        case .double: return 4
        case .bool: return 5
        case .null: return 6
        }
    }

    /// First position of each lookup value in `list`: the merge key's value for object lists
    /// (null when missing), the item itself otherwise (`index`).
    private struct PositionTable {
        var first: [JSON: Int] = [:]
        let mergeKey: String
        let isMap: Bool

        init(_ list: [JSON], mergeKey: String, isMap: Bool) {
            self.mergeKey = mergeKey
            self.isMap = isMap
            for (i, item) in list.enumerated() where first[lookupValue(item)] == nil {
                first[lookupValue(item)] = i
            }
        }

        func lookupValue(_ item: JSON) -> JSON {
            isMap ? (item.objectValue?[mergeKey] ?? .null) : item
        }

        func position(_ item: JSON) -> Int? { first[lookupValue(item)] }
    }

    /// `partitionPrimitivesByPresentInList` / `partitionMapsByPresentInList`.
    static func partition(_ merged: [JSON], by list: [JSON], mergeKey: String) throws(Failure) -> (inList: [JSON], serverOnly: [JSON]) {
        var inList: [JSON] = [], serverOnly: [JSON] = []
        if mergeKey.isEmpty {
            let present = Set(list)
            for v in merged { if present.contains(v) { inList.append(v) } else { serverOnly.append(v) } }
            return (inList, serverOnly)
        }
        var firstNonObject: Int?
        var positions: [JSON: Int] = [:]
        for (i, item) in list.enumerated() {
            guard case .object(let m) = item else {
                if firstNonObject == nil { firstNonObject = i }
                continue
            }
            if let v = m[mergeKey], positions[v] == nil { positions[v] = i }
        }
        for v in merged {
            guard case .object(let m) = v else { throw .badArgType(expected: "map[string]interface {}", v) }
            guard let value = m[mergeKey] else { throw .noMergeKey(m, mergeKey) }
            let at = positions[value]
            if let bad = firstNonObject, at == nil || at! > bad { throw .other("value for key \(bad) is not a map.") }
            if at != nil { inList.append(v) } else { serverOnly.append(v) }
        }
        return (inList, serverOnly)
    }

    /// `normalizeElementOrder`: sorts the patch's items by `patchOrder` and the server-only items
    /// by `serverOrder`, then interleaves them (`mergeSortedSlice`): a server-only item goes first
    /// only while it precedes the next patch item in the live list.
    static func normalizeElementOrder(_ patchItems: [JSON], _ serverOnly: [JSON], patchOrder: [JSON], serverOrder: [JSON], mergeKey: String, isMap: Bool) throws(Failure) -> [JSON] {
        let right = try normalizeSliceOrder(patchItems, by: patchOrder, mergeKey: mergeKey, isMap: isMap)
        let left = try normalizeSliceOrder(serverOnly, by: serverOrder, mergeKey: mergeKey, isMap: isMap)
        let server = PositionTable(serverOrder, mergeKey: mergeKey, isMap: isMap)
        var result: [JSON] = []
        result.reserveCapacity(left.count + right.count)
        var i = 0, j = 0
        while i < left.count && j < right.count {
            if let li = server.position(left[i]), let ri = server.position(right[j]), li < ri {
                result.append(left[i]); i += 1
            } else {
                result.append(right[j]); j += 1
            }
        }
        result.append(contentsOf: left[i...])
        result.append(contentsOf: right[j...])
        return result
    }

    /// `normalizeSliceOrder`: stable sort by position in `order`, deletions moved last.
    private static func normalizeSliceOrder(_ toSortIn: [JSON], by order: [JSON], mergeKey: String, isMap: Bool) throws(Failure) -> [JSON] {
        var toSort = toSortIn
        var deleted: [JSON] = []
        if isMap {
            for item in toSort + order {
                guard case .object(let m) = item else { throw .badArgType(expected: "map[string]interface {}", item) }
                guard m[mergeKey] != nil else { throw .noMergeKey(m, mergeKey) }
            }
            toSort = toSort.filter { item in
                if item.objectValue?[directiveMarker] == "delete" { deleted.append(item); return false }
                return true
            }
        }
        let table = PositionTable(order, mergeKey: mergeKey, isMap: isMap)
        var keyed = toSort.map { (item: $0, position: table.position($0)) }
        GoStableSort.sort(&keyed) { a, b in
            guard let pa = a.position, let pb = b.position else { return true }
            return pa < pb
        }
        return keyed.map(\.item) + deleted
    }
}
