/// What changed between two versions of an object, as field sets (`typed.Comparison`).
public struct FieldComparison: Sendable {
    public var added = FieldSet()
    public var modified = FieldSet()
    public var removed = FieldSet()
    public var isSame: Bool { added.isEmpty && modified.isEmpty && removed.isEmpty }
}

extension TypedSchema {
    /// `TypedValue.Compare`: leaves (scalars, atomic values, empty collections) added, removed or
    /// changed, and list items and map entries that appeared or went away.
    public func compare(_ old: JSON, _ new: JSON) throws(FieldTypeError) -> FieldComparison {
        var result = FieldComparison()
        _ = try compare(old, new, root, into: &result)
        return result
    }

    enum NodeChange { case none, added, removed, modified }

    /// Compares one node: fills `result` with the changes below it (relative to it) and says how the
    /// node itself changed, for the parent to record under its element.
    private func compare(_ lhs: JSON?, _ rhs: JSON?, _ type: FieldType, into result: inout FieldComparison) throws(FieldTypeError) -> NodeChange {
        func leaf() -> NodeChange {
            guard let lhs else { return .added }
            guard let rhs else { return .removed }
            return JSONOrder.equal(lhs, rhs) ? .none : .modified
        }
        let presence: NodeChange = lhs == nil ? .added : (rhs == nil ? .removed : .none)
        switch resolve(type, for: rhs ?? lhs) {
        case .list(let list):
            let l = lhs?.arrayValue, r = rhs?.arrayValue
            if list.isAtomic || (lhs != nil && l == nil && lhs?.isNull == false) || (rhs != nil && r == nil && rhs?.isNull == false)
                || ((l ?? []).isEmpty && (r ?? []).isEmpty) {
                return leaf()
            }
            try compareItems(l ?? [], r ?? [], list, into: &result)
            return presence
        case .map(let map):
            let l = lhs?.objectValue, r = rhs?.objectValue
            if map.atomic || (lhs != nil && l == nil && lhs?.isNull == false) || (rhs != nil && r == nil && rhs?.isNull == false)
                || ((l ?? [:]).isEmpty && (r ?? [:]).isEmpty) {
                return leaf()
            }
            let left = l ?? [:], right = r ?? [:]
            for (name, value) in left {
                try compareChild(.field(name), value, right[name], map.member(name).type, into: &result)
            }
            for (name, value) in right where left[name] == nil {
                try compareChild(.field(name), nil, value, map.member(name).type, into: &result)
            }
            return presence
        default:
            return leaf()
        }
    }

    private func compareChild(_ element: FieldPathElement, _ lhs: JSON?, _ rhs: JSON?, _ type: FieldType,
                              into result: inout FieldComparison) throws(FieldTypeError) {
        // Most of an object is unchanged by a write: a plain structural equality (no type lookups,
        // no hashing) settles those subtrees before the typed walk would visit every node.
        if let lhs, let rhs, lhs == rhs { return }
        var below = FieldComparison()
        let change: NodeChange
        do { change = try compare(lhs, rhs, type, into: &below) } catch { throw error.under(element) }
        switch change {
        case .added: result.added.members.insert(element)
        case .removed: result.removed.members.insert(element)
        case .modified: result.modified.members.insert(element)
        case .none: break
        }
        if !below.added.isEmpty { result.added.children[element] = below.added }
        if !below.modified.isEmpty { result.modified.children[element] = below.modified }
        if !below.removed.isEmpty { result.removed.children[element] = below.removed }
    }

    /// Items are matched by their path elements; an element repeated on a side is compared as a
    /// whole, as upstream does for duplicates.
    private func compareItems(_ lhs: [JSON], _ rhs: [JSON], _ list: FieldList,
                              into result: inout FieldComparison) throws(FieldTypeError) {
        var order: [FieldPathElement] = []
        var left: [FieldPathElement: [JSON]] = [:], right: [FieldPathElement: [JSON]] = [:]
        for (i, item) in lhs.enumerated() {
            let element = try itemElement(item, list, index: i)
            if left[element] == nil { order.append(element) }
            left[element, default: []].append(item)
        }
        for (i, item) in rhs.enumerated() {
            let element = try itemElement(item, list, index: i)
            if left[element] == nil, right[element] == nil { order.append(element) }
            right[element, default: []].append(item)
        }
        for element in order {
            let l = left[element] ?? [], r = right[element] ?? []
            switch (l.count, r.count) {
            case (0...1, 0...1):
                try compareChild(element, l.first, r.first, list.elements, into: &result)
            case (2..., 2...):
                if l.count != r.count || zip(l, r).contains(where: { !JSONOrder.equal($0, $1) }) {
                    result.modified.members.insert(element)
                }
            case (2..., _):
                if let item = r.first { try compareChild(element, nil, item, list.elements, into: &result) }
                result.removed.members.insert(element)
            default:
                if let item = l.first { try compareChild(element, item, nil, list.elements, into: &result) }
                result.added.members.insert(element)
            }
        }
    }
}
