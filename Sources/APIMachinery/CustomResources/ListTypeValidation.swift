/// Upstream's ValidateListSetsAndMaps (apiserver/schema/listtype): a `set` list may not hold a value
/// twice and a `map` list may not hold two items with the same key fields, reported as
/// `Duplicate value` at the later item.
enum ListTypeValidation {
    static func validate(_ value: JSON, _ s: JSONSchemaProps?, path: FieldPath) -> [FieldError] {
        guard let s else { return [] }
        var errs: [FieldError] = []
        switch value {
        case .array(let items):
            switch s.xListType {
            case "set"?:
                errs += duplicates(items).map { FieldError(.duplicate, path.index($0), value: GoValueFormat.sharpV(items[$0])) }
            case "map"?:
                // Only objects (or null, an item with no key) may be items of a map list.
                if let i = items.firstIndex(where: { $0.objectValue == nil && !$0.isNull }) {
                    errs.append(FieldError(.invalid, path.index(i), value: GoValueFormat.invalidValue(items[i]), "must be an object for an array of list-type map"))
                    break
                }
                // An item's key holds the key fields it has; defaulting ran before validation.
                let keys: [JSON] = items.map { item in
                    var key: JSONObject = [:]
                    for k in s.xListMapKeys { if let v = item[k] { key[k] = v } }
                    return .object(key)
                }
                errs += duplicates(keys).map { FieldError(.duplicate, path.index($0), value: GoValueFormat.sharpV(keys[$0])) }
            default: break
            }
            for (i, item) in items.enumerated() { errs += validate(item, s.items, path: path.index(i)) }
        case .object(let members):
            for (k, v) in members {
                if let p = s.properties[k] {
                    errs += validate(v, p, path: path.child(k))
                } else if let additional = s.additionalProperties?.schema {
                    errs += validate(v, additional, path: path.key(k))
                }
            }
        default: break
        }
        return errs
    }
}

extension ListTypeValidation {
    /// Upstream's validateListSet: the index of each value's second appearance (later ones are not reported).
    /// Values compare as Go compares decoded values in a map key: the integer 1 and the float 1.0 differ.
    static func duplicates(_ values: [JSON]) -> [Int] {
        var seen: [(JSON, Int)] = []
        var out: [Int] = []
        for (i, v) in values.enumerated() {
            if let at = seen.firstIndex(where: { $0.0 == v }) {
                seen[at].1 += 1
                if seen[at].1 == 2 { out.append(i) }
            } else {
                seen.append((v, 1))
            }
        }
        return out
    }
}

/// Equality of JSON values as Go compares decoded values: 1 and 1.0 are the same number.
enum SemanticJSON {
    static func equal(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { equal(v, $0) } ?? false }
        default: return a == b
        }
    }
}

/// Go's `%#v` of a decoded JSON value, which upstream's Duplicate errors print.
enum GoValueFormat {
    static func sharpV(_ value: JSON) -> String {
        switch value {
        case .null: return "interface {}(nil)"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return JSONWriter.formatDouble(d)
        case .string(let s): return FieldError.quote(s)
        case .array(let items): return "[]interface {}{" + items.map(element).joined(separator: ", ") + "}"
        case .object(let members):
            // fmt prints map keys sorted.
            let body = members.keys.sorted().map { "\(FieldError.quote($0)):\(element(members[$0]!))" }
            return "map[string]interface {}{" + body.joined(separator: ", ") + "}"
        }
    }

    /// field.Invalid's rendering of a decoded value: scalars plainly (strings quoted), containers with %#v.
    static func invalidValue(_ value: JSON) -> String {
        switch value {
        case .array, .object: return sharpV(value)
        default: return FieldError.render(value)
        }
    }

    /// Inside a container, a nil interface prints as `interface {}(nil)` and scalars as themselves.
    private static func element(_ value: JSON) -> String { sharpV(value) }
}
