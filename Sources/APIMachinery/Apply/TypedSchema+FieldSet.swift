/// A value the schema cannot index (an associative list item without its keys, a map in a set):
/// upstream's typed conversion errors, reported with the path where they occur.
public struct FieldTypeError: Error, Sendable {
    public var path: String
    public var message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

extension TypedSchema {
    /// The fields a value sets (`TypedValue.ToFieldSet`): every scalar and atomic value, every list
    /// item, map entries, and fields that are null or an empty object.
    public func fieldSet(_ value: JSON) throws(FieldTypeError) -> FieldSet {
        try descendants(value, root).set
    }

    /// The set below one node, relative to it, and whether the node is itself a leaf.
    func descendants(_ value: JSON, _ type: FieldType) throws(FieldTypeError) -> (set: FieldSet, leaf: Bool) {
        var set = FieldSet()
        switch resolve(type, for: value) {
        case .list(let list):
            guard case .array(let items) = value, !list.isAtomic else { return (set, true) }
            for (i, item) in items.enumerated() {
                let element = try itemElement(item, list, index: i)
                set.members.insert(element)
                let below: FieldSet
                do { below = try descendants(item, list.elements).set } catch { throw error.under(element) }
                if !below.isEmpty { set.children[element] = below }
            }
            return (set, false)
        case .map(let map):
            guard case .object(let object) = value, !map.atomic else { return (set, true) }
            for (name, child) in object {
                let (childType, declared) = map.member(name)
                let element = FieldPathElement.field(name)
                let (below, leaf): (FieldSet, Bool)
                do { (below, leaf) = try descendants(child, childType) } catch { throw error.under(element) }
                if leaf || !declared || child.isNull || child.isEmptyObject { set.members.insert(element) }
                if !below.isEmpty { set.children[element] = below }
            }
            return (set, false)
        default:
            return (set, true)
        }
    }

    /// The path element of a list item (`listItemToPathElement`): its key fields (with schema
    /// defaults for missing ones) for a map list, its value for a set.
    func itemElement(_ item: JSON, _ list: FieldList, index: Int) throws(FieldTypeError) -> FieldPathElement {
        switch list.relationship {
        case .map(let keys, let defaults):
            guard case .object(let object) = item else {
                let what = item.isNull ? "a null element" : "non-map elements"
                throw FieldTypeError(path: "", message: "element \(index): associative list with keys may not have \(what)")
            }
            var fields: [(String, JSON)] = []
            for key in keys {
                if let value = object[key] { fields.append((key, value)) } else if let value = defaults[key] { fields.append((key, value)) }
            }
            if !keys.isEmpty, fields.isEmpty {
                let quoted = keys.map { FieldError.quote($0) }.joined(separator: " ")
                throw FieldTypeError(path: "", message: "element \(index): associative list with keys has an element that omits all key fields [\(quoted)] (and doesn't have default values for any key fields)")
            }
            return .key(fields)
        case .set, .atomic:
            switch item {
            case .object: throw FieldTypeError(path: "", message: "element \(index): associative list without keys has an element that's a map type")
            case .array: throw FieldTypeError(path: "", message: "element \(index): not supported: associative list with lists as elements")
            case .null: throw FieldTypeError(path: "", message: "element \(index): associative list without keys has an element that's an explicit null")
            default: return .value(item)
            }
        }
    }

    /// `EnsureNamedFieldsAreMembers`: a struct field with owned fields below it counts as a member,
    /// so removing what nobody owns any more can take a whole field away.
    public func ensuringNamedFieldsAreMembers(_ set: FieldSet) -> FieldSet {
        namedFieldsAsMembers(set, root)
    }

    private func namedFieldsAsMembers(_ set: FieldSet, _ type: FieldType) -> FieldSet {
        var result = set
        let resolved = schema.resolve(type)
        for (element, subtree) in set.children {
            var childType = FieldType.untyped
            switch (resolved, element) {
            case (.map(let map), .field(let name)):
                let member = map.member(name)
                childType = member.type
                if member.declared { result.members.insert(element) }
            case (.list(let list), _):
                childType = list.elements
            default:
                break
            }
            result.children[element] = namedFieldsAsMembers(subtree, childType)
        }
        return result
    }
}

extension FieldList {
    var isAtomic: Bool { if case .atomic = relationship { return true } else { return false } }
}

extension JSON {
    var isEmptyObject: Bool { if case .object(let o) = self { return o.isEmpty } else { return false } }
    var isEmptyOrNull: Bool {
        switch self {
        case .null: return true
        case .object(let o): return o.isEmpty
        case .array(let a): return a.isEmpty
        default: return false
        }
    }
}
