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
                var seen: [JSON] = []
                for (i, item) in items.enumerated() {
                    if seen.contains(where: { SemanticJSON.equal($0, item) }) {
                        errs.append(FieldError(.duplicate, path.index(i), value: GoValueFormat.sharpV(item)))
                    } else {
                        seen.append(item)
                    }
                }
            case "map"?:
                var seen: [JSON] = []
                for (i, item) in items.enumerated() {
                    guard let object = item.objectValue else { continue }
                    var key: JSONObject = [:]
                    for k in s.xListMapKeys {
                        if let v = object[k] ?? s.items?.properties[k]?.defaultValue { key[k] = v }
                    }
                    let keyValue = JSON.object(key)
                    if seen.contains(where: { SemanticJSON.equal($0, keyValue) }) {
                        errs.append(FieldError(.duplicate, path.index(i), value: GoValueFormat.sharpV(keyValue)))
                    } else {
                        seen.append(keyValue)
                    }
                }
            default: break
            }
            for (i, item) in items.enumerated() { errs += validate(item, s.items, path: path.index(i)) }
        case .object(let members):
            for (k, v) in members {
                if let p = s.properties[k] {
                    errs += validate(v, p, path: path.child(k))
                } else if let additional = s.additionalProperties?.schema {
                    errs += validate(v, additional, path: path.child(k))
                }
            }
        default: break
        }
        return errs
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
