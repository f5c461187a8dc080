/// Reads the members of one schema node with the types `JSONSchemaProps` declares, recording a
/// decoding error (as the API server's strict JSON decoder would refuse the CRD) for each wrong type.
struct SchemaMemberReader {
    let object: JSONObject
    let path: FieldPath
    var errors: [FieldError] = []

    init(object: JSONObject, path: FieldPath) {
        self.object = object
        self.path = path
    }

    private mutating func wrongType(_ key: String, _ value: JSON, _ expected: String) {
        errors.append(.invalid(path.child(key), value, "must be of type \(expected)"))
    }

    mutating func string(_ key: String) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        if let s = value.stringValue { return s }
        wrongType(key, value, "string")
        return nil
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        if let b = value.boolValue { return b }
        wrongType(key, value, "boolean")
        return nil
    }

    mutating func int(_ key: String) -> Int64? {
        guard let value = object[key], !value.isNull else { return nil }
        if let i = value.intValue { return i }
        wrongType(key, value, "integer")
        return nil
    }

    /// A number kept as written (integer or not), so messages print it as upstream's `%v` does.
    mutating func number(_ key: String) -> JSON? {
        guard let value = object[key], !value.isNull else { return nil }
        switch value {
        case .int, .double: return value
        default:
            wrongType(key, value, "number")
            return nil
        }
    }

    mutating func array(_ key: String) -> [JSON]? {
        guard let value = object[key], !value.isNull else { return nil }
        if let a = value.arrayValue { return a }
        wrongType(key, value, "array")
        return nil
    }

    mutating func strings(_ key: String) -> [String]? {
        guard let values = array(key) else { return nil }
        var out: [String] = []
        for (i, v) in values.enumerated() {
            if let s = v.stringValue { out.append(s) } else { errors.append(.invalid(path.child(key).index(i), v, "must be of type string")) }
        }
        return out
    }

    mutating func objectMember(_ key: String) -> JSONObject? {
        guard let value = object[key], !value.isNull else { return nil }
        if let o = value.objectValue { return o }
        wrongType(key, value, "object")
        return nil
    }

    mutating func schemas(_ key: String) -> [JSONSchemaProps] {
        guard let values = array(key) else { return [] }
        return values.enumerated().map { JSONSchemaProps(parsing: $1, path: path.child(key).index($0), errors: &errors) }
    }

    mutating func validationRules() -> [JSONSchemaProps.ValidationRule] {
        guard let values = array("x-kubernetes-validations") else { return [] }
        return values.enumerated().map { i, value in
            var rule = SchemaMemberReader(object: value.objectValue ?? [:], path: path.child("x-kubernetes-validations").index(i))
            let parsed = JSONSchemaProps.ValidationRule(
                rule: rule.string("rule") ?? "", message: rule.string("message"),
                messageExpression: rule.string("messageExpression"), reason: rule.string("reason"),
                fieldPath: rule.string("fieldPath"), optionalOldSelf: rule.bool("optionalOldSelf"), raw: value)
            errors += rule.errors
            return parsed
        }
    }
}
