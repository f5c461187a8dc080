import Foundation

extension SchemaValueValidator {
    /// Go's regexp.MatchString: a match anywhere in the string, not an anchored one.
    static func matches(_ regex: NSRegularExpression, _ s: String) -> Bool {
        regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    /// numberValidator: multipleOf, then minimum, then maximum, each worded with `%v` of the bound.
    func validateNumber(_ value: JSON, _ s: JSONSchemaProps, name: String) -> [FieldError] {
        var errs: [FieldError] = []
        let shown = name.trimmingLeadingDot
        let data: Double
        switch value {
        case .int(let i): data = Double(i)
        case .double(let d): data = d
        default: return []
        }
        // An integer value is compared with integer bounds, so the bound prints without a fraction.
        func bound(_ b: JSON) -> String {
            if case .int = value, let i = b.intValue { return String(i) }
            return FieldError.render(b)
        }
        if let factor = s.multipleOf, let f = Self.double(factor), f > 0 {
            let quotient = data / f
            if quotient.rounded() != quotient {
                errs.append(.invalid(errorPath(name), value, "\(shown) in body should be a multiple of \(bound(factor))"))
            }
        }
        if let min = s.minimum, let m = Self.double(min) {
            if s.exclusiveMinimum ? data <= m : data < m {
                let relation = s.exclusiveMinimum ? "greater than" : "greater than or equal to"
                errs.append(.invalid(errorPath(name), value, "\(shown) in body should be \(relation) \(bound(min))"))
            }
        }
        if let max = s.maximum, let m = Self.double(max) {
            if s.exclusiveMaximum ? data >= m : data > m {
                let relation = s.exclusiveMaximum ? "less than" : "less than or equal to"
                errs.append(.invalid(errorPath(name), value, "\(shown) in body should be \(relation) \(bound(max))"))
            }
        }
        return errs
    }

    static func double(_ j: JSON) -> Double? {
        switch j {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// schemaSliceValidator: each item at `name[i]`, then minItems and maxItems.
    func validateArray(_ items: [JSON], _ s: JSONSchemaProps, name: String, old: JSON?) -> [FieldError] {
        var errs: [FieldError] = []
        if let itemSchema = s.items {
            for (i, item) in items.enumerated() {
                errs += validate(item, itemSchema, name: "\(name)[\(i)]", old: Self.correlatedItem(item, old?.arrayValue, s))
            }
        }
        let size = Int64(items.count)
        if let min = s.minItems, size < min {
            errs.append(.invalid(errorPath(name), .int(size), "\(name.trimmingLeadingDot) in body should have at least \(min) items"))
        }
        if let max = s.maxItems, size > max {
            errs.append(.tooMany(errorPath(name), actual: items.count, max: Int(max)))
        }
        if s.uniqueItems, Set(items).count != items.count {
            errs.append(.invalid(errorPath(name), "", "\(name.trimmingLeadingDot) in body shouldn't contain duplicates"))
        }
        return errs
    }

    /// basicCommonValidator: the value must equal one of `enum`, numbers compared by value.
    func validateEnum(_ value: JSON, _ s: JSONSchemaProps, name: String) -> [FieldError] {
        guard let allowed = s.enumValues, !allowed.isEmpty else { return [] }
        if allowed.contains(where: { Self.enumEqual(value, $0) }) { return [] }
        // apiextensions lists string members as they are and every other member as its JSON.
        let supported = allowed.map { $0.stringValue ?? JSONWriter.encodeString($0) }
        return [.notSupported(errorPath(name), value, supported)]
    }

    private static func enumEqual(_ a: JSON, _ b: JSON) -> Bool {
        if let x = double(a), let y = double(b) { return x == y }
        return a == b
    }

    /// objectValidator: property counts, additionalProperties, properties, then required.
    /// Map-list items correlate by their keys and set items by value; atomic list items do not correlate.
    static func correlatedItem(_ item: JSON, _ old: [JSON]?, _ s: JSONSchemaProps) -> JSON? {
        guard let old else { return nil }
        switch s.xListType {
        case "map"?:
            return old.first { candidate in s.xListMapKeys.allSatisfy { SemanticJSON.equal(candidate[$0] ?? .null, item[$0] ?? .null) } }
        case "set"?:
            return old.first { SemanticJSON.equal($0, item) }
        default:
            return nil
        }
    }

    func validateObject(_ members: JSONObject, _ s: JSONSchemaProps, name: String, old: JSON?) -> [FieldError] {
        var errs: [FieldError] = []
        let shown = name.trimmingLeadingDot
        let count = Int64(members.count)
        if let min = s.minProperties, count < min {
            errs.append(.invalid(errorPath(name), .int(count), "\(shown) in body should have at least \(min) properties"))
        }
        if let max = s.maxProperties, count > max {
            errs.append(.tooMany(errorPath(name), actual: members.count, max: Int(max)))
        }
        switch s.additionalProperties {
        case .allows(false)?:
            for key in members.keys where s.properties[key] == nil {
                errs.append(.invalid(errorPath(name), key, "\(shown).\(key) in body is a forbidden property"))
            }
        case .schema(let additional)?:
            for (key, value) in members where s.properties[key] == nil {
                errs += validate(value, additional, name: "\(name).\(key)", old: old?[key])
            }
        default: break
        }
        for (key, property) in s.properties {
            guard let value = members[key] else { continue }
            errs += validate(value, property, name: name.isEmpty ? key : "\(name).\(key)", old: old?[key])
        }
        for key in s.required where members[key] == nil {
            errs.append(.required(errorPath("\(name).\(key)")))
        }
        return errs
    }
}
