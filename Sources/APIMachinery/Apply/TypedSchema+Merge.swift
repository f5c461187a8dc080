extension TypedSchema {
    /// `TypedValue.Merge`: the applied configuration laid over the live object. Leaves (scalars,
    /// atomic values, empty collections) come from the configuration when it has them; structs and
    /// granular maps merge entry by entry; associative lists merge item by item, keeping the live
    /// order around the configuration's (structured-merge-diff's `mergingWalker`).
    public func merge(_ live: JSON, _ config: JSON) throws(FieldTypeError) -> JSON {
        try merge(live, config, root) ?? live
    }

    private func merge(_ lhs: JSON?, _ rhs: JSON?, _ type: FieldType) throws(FieldTypeError) -> JSON? {
        guard let lhs else { return rhs }
        guard let rhs else { return lhs }
        switch resolve(type, for: rhs) {
        case .list(let list):
            guard case .array(let r) = rhs, !list.isAtomic else { return rhs }
            let l = lhs.arrayValue ?? []
            if l.isEmpty, r.isEmpty { return rhs }
            if lhs.arrayValue == nil, !lhs.isNull { return rhs }
            return .array(try mergeItems(l, r, list))
        case .map(let map):
            guard case .object(let r) = rhs, !map.atomic else { return rhs }
            let l = lhs.objectValue ?? [:]
            if lhs.objectValue == nil, !lhs.isNull { return rhs }
            if l.isEmpty, r.isEmpty { return rhs }
            var out = JSONObject()
            out.reserveCapacity(l.count + r.count)
            for (name, value) in l {
                do {
                    if let merged = try merge(value, r[name], map.member(name).type) { out[name] = merged }
                } catch {
                    throw error.under(FieldPathElement.field(name))
                }
            }
            for (name, value) in r where l[name] == nil { out[name] = value }
            return .object(out)
        default:
            return rhs
        }
    }

    /// Upstream's list merge: live items keep their places, shared items follow the configuration's
    /// order, new configuration items come where the configuration puts them.
    private func mergeItems(_ lhs: [JSON], _ rhs: [JSON], _ list: FieldList) throws(FieldTypeError) -> [JSON] {
        func index(_ items: [JSON]) throws(FieldTypeError) -> ([FieldPathElement], [FieldPathElement: JSON], [Int]) {
            var elements: [FieldPathElement] = [], observed: [FieldPathElement: JSON] = [:], positions: [Int] = []
            for (i, item) in items.enumerated() {
                let element = try itemElement(item, list, index: i)
                if observed[element] != nil { continue }
                observed[element] = item
                elements.append(element)
                positions.append(i)
            }
            return (elements, observed, positions)
        }
        let (rhsElements, observedRHS, _) = try index(rhs)
        let (lhsElements, observedLHS, lhsPositions) = try index(lhs)
        var shared = rhsElements.filter { observedLHS[$0] != nil }[...]
        var nextShared = shared.popFirst()
        var merged: Set<FieldPathElement> = []
        var out: [JSON] = []
        out.reserveCapacity(max(lhs.count, rhs.count))
        func mergeItem(_ element: FieldPathElement, _ l: JSON?, _ r: JSON?) throws(FieldTypeError) {
            do {
                if let item = try merge(l, r, list.elements) { out.append(item) }
            } catch {
                throw error.under(element)
            }
        }
        var (li, ri) = (0, 0)
        while li < lhsElements.count || ri < rhsElements.count {
            if li < lhsElements.count, ri < rhsElements.count {
                let element = lhsElements[li]
                if element == rhsElements[ri] {
                    merged.insert(element)
                    try mergeItem(element, observedLHS[element], observedRHS[element])
                    li += 1; ri += 1
                    nextShared = shared.popFirst()
                    continue
                }
                if observedRHS[element] != nil, let next = nextShared, next != element {
                    li += 1
                    continue
                }
            }
            if li < lhsElements.count {
                let element = lhsElements[li]
                if observedRHS[element] == nil {
                    try mergeItem(element, lhs[lhsPositions[li]], nil)
                    li += 1
                    continue
                } else if merged.contains(element) {
                    li += 1
                    continue
                }
            }
            if ri < rhsElements.count {
                let element = rhsElements[ri]
                merged.insert(element)
                try mergeItem(element, observedLHS[element], observedRHS[element])
                ri += 1
                if let next = nextShared, next == element { nextShared = shared.popFirst() }
            }
        }
        return out
    }

    /// `TypedValue.RemoveItems`: the value without the paths in `set` (a member goes with everything
    /// below it); collections left empty by the removal go too.
    public func removing(_ set: FieldSet, from value: JSON) -> JSON {
        removing(set, from: value, root) ?? .object([:])
    }

    private func removing(_ set: FieldSet, from value: JSON, _ type: FieldType) -> JSON? {
        switch resolve(type, for: value) {
        case .list(let list):
            guard case .array(let items) = value, !items.isEmpty, !list.isAtomic else { return value }
            var kept: [JSON] = []
            for (i, item) in items.enumerated() {
                guard let element = try? itemElement(item, list, index: i) else { kept.append(item); continue }
                if set.members.contains(element) { continue }
                if let below = set.children[element] {
                    if let rest = removing(below, from: item, list.elements) { kept.append(rest) }
                } else {
                    kept.append(item)
                }
            }
            return kept.isEmpty ? nil : .array(kept)
        case .map(let map):
            guard case .object(let object) = value, !object.isEmpty, !map.atomic else { return value }
            var kept = JSONObject()
            for (name, child) in object {
                let element = FieldPathElement.field(name)
                if set.members.contains(element) { continue }
                if let below = set.children[element] {
                    if let rest = removing(below, from: child, map.member(name).type) { kept[name] = rest }
                } else {
                    kept[name] = child
                }
            }
            return kept.isEmpty ? nil : .object(kept)
        default:
            return value
        }
    }
}

extension FieldTypeError {
    /// The error as seen from the parent: its path gains the element in front.
    func under(_ element: FieldPathElement) -> FieldTypeError {
        FieldTypeError(path: element.description + path, message: message)
    }
}
