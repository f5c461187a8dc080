/// OpenAPI value validation of a custom object, as kube-openapi's `validate.SchemaValidator` does it and
/// as apiextensions turns its results into field errors (kubeOpenAPIResultToFieldErrors): the
/// validator names a value by a dotted path (`spec.ports[0].name`) and words its own message
/// (`spec.replicas in body must be of type integer: "string"`); the field error carries that path.
///
/// Validators run per node in upstream's order: type, allOf/anyOf/oneOf/not, string, format, number,
/// array, enum, object.
struct SchemaValueValidator {
    /// Where the validated value sits in the request; nil for a whole object (upstream passes a nil
    /// path, which renders as `<nil>` for errors naming no field).
    let base: FieldPath?

    /// The field path an error about `name` is reported at.
    func errorPath(_ name: String) -> FieldPath {
        let trimmed = name.hasPrefix(".") ? String(name.dropFirst()) : name
        guard let base else { return FieldPath(trimmed.isEmpty ? "<nil>" : trimmed) }
        return trimmed.isEmpty ? base : base.child(trimmed)
    }

    var compositePath: FieldPath { base ?? FieldPath("<nil>") }

    /// - Parameter old: the correlated value of the object being updated, for ratcheting
    ///   (CRDValidationRatcheting): a value equal to its old value keeps whatever errors it already had
    ///   without failing the update, so tightening a schema does not block unrelated changes.
    func validate(_ value: JSON, _ s: JSONSchemaProps, name: String, old: JSON? = nil) -> [FieldError] {
        if let old, SemanticJSON.equal(old, value) { return [] }
        if value.isNull {
            var errs: [FieldError] = []
            if let expected = expectedTypes(s), !s.nullable {
                errs.append(typeError(name, expected, "null"))
            }
            errs += validateEnum(value, s, name: name)
            return errs
        }
        var errs = validateType(value, s, name: name)
        errs += validateComposition(value, s, name: name)
        if case .string(let str) = value {
            errs += validateString(str, s, name: name)
            errs += validateFormat(str, s, name: name)
        }
        if case .int = value { errs += validateNumber(value, s, name: name) }
        if case .double = value { errs += validateNumber(value, s, name: name) }
        if case .array(let items) = value { errs += validateArray(items, s, name: name, old: old) }
        errs += validateEnum(value, s, name: name)
        if case .object(let members) = value { errs += validateObject(members, s, name: name, old: old) }
        return errs
    }

    /// The types a node accepts as kube-openapi spells them in messages; int-or-string is `integer,string`.
    private func expectedTypes(_ s: JSONSchemaProps) -> String? {
        if s.xIntOrString { return "integer,string" }
        return s.type.isEmpty ? nil : s.type
    }

    /// errors.InvalidType, turned into field.TypeInvalid with the data's type as the bad value.
    func typeError(_ name: String, _ expected: String, _ actual: String) -> FieldError {
        FieldError(.typeInvalid, errorPath(name), value: FieldError.quote(actual),
                   "\(name.trimmingLeadingDot) in body must be of type \(expected): \(FieldError.quote(actual))")
    }

    private func validateType(_ value: JSON, _ s: JSONSchemaProps, name: String) -> [FieldError] {
        guard let expected = expectedTypes(s) else { return [] }
        let accepted = expected.split(separator: ",").map(String.init)
        let actual: String
        switch value {
        case .bool: actual = "boolean"
        case .string: actual = "string"
        case .int: actual = "integer"
        case .double(let d):
            // A float with an integral value satisfies `integer` (JSON has one number type).
            if accepted.contains("integer"), d.rounded() == d { return [] }
            actual = "number"
        case .array: actual = "array"
        case .object: actual = "object"
        case .null: actual = "null"
        }
        if accepted.contains(actual) || (actual == "integer" && accepted.contains("number")) { return [] }
        return [typeError(name, expected, actual)]
    }

    private func validateComposition(_ value: JSON, _ s: JSONSchemaProps, name: String) -> [FieldError] {
        var errs: [FieldError] = []
        let quoted = FieldError.quote(name.trimmingLeadingDot)
        if !s.anyOf.isEmpty {
            let results = s.anyOf.map { validate(value, $0, name: name) }
            if !results.contains(where: \.isEmpty) {
                errs.append(composite("\(quoted) must validate at least one schema (anyOf)"))
                errs += Self.bestFailure(results)
            }
        }
        if !s.oneOf.isEmpty {
            let results = s.oneOf.map { validate(value, $0, name: name) }
            let valid = results.filter(\.isEmpty).count
            if valid != 1 {
                let detail = valid == 0 ? "Found none valid" : "Found \(valid) valid alternatives"
                errs.append(composite("\(quoted) must validate one and only one schema (oneOf). \(detail)"))
                if valid == 0 { errs += Self.bestFailure(results) }
            }
        }
        if !s.allOf.isEmpty {
            let results = s.allOf.map { validate(value, $0, name: name) }
            for r in results { errs += r }
            let valid = results.filter(\.isEmpty).count
            if valid != results.count {
                errs.append(composite("\(quoted) must validate all the schemas (allOf)\(valid == 0 ? ". None validated" : "")"))
            }
        }
        if let not = s.not, validate(value, not, name: name).isEmpty {
            errs.append(composite("\(quoted) must not validate the schema (not)"))
        }
        return errs
    }

    /// kube-openapi keeps the errors of the alternative that passed the most checks; the one with the
    /// fewest errors stands in for that count here.
    private static func bestFailure(_ results: [[FieldError]]) -> [FieldError] {
        results.filter { !$0.isEmpty }.min { $0.count < $1.count } ?? []
    }

    /// errors.New(CompositeErrorCode, ...) is not a *Validation, so apiextensions reports it as
    /// field.Invalid(fldPath, "", message).
    private func composite(_ message: String) -> FieldError { .invalid(compositePath, "", message) }

    private func validateString(_ str: String, _ s: JSONSchemaProps, name: String) -> [FieldError] {
        let shown = name.trimmingLeadingDot
        let length = Int64(str.unicodeScalars.count)
        if let max = s.maxLength, length > max {
            let unit = max == 1 ? "byte" : "bytes"
            return [FieldError(.tooLong, errorPath(name), "may not be more than \(max) \(unit)")]
        }
        if let min = s.minLength, length < min {
            return [.invalid(errorPath(name), str, "\(shown) in body should be at least \(min) chars long")]
        }
        if let pattern = s.pattern, let regex = s.patternRegex, !Self.matches(regex, str) {
            return [.invalid(errorPath(name), str, "\(shown) in body should match '\(pattern)'")]
        }
        return []
    }

    private func validateFormat(_ str: String, _ s: JSONSchemaProps, name: String) -> [FieldError] {
        guard !s.format.isEmpty, let valid = SchemaFormats.check(format: s.format, str), !valid else { return [] }
        return [FieldError(.typeInvalid, errorPath(name), value: FieldError.quote(str),
                           "\(name.trimmingLeadingDot) in body must be of type \(s.format): \(FieldError.quote(str))")]
    }
}

extension String {
    /// kube-openapi names a root member `.spec`; apiextensions strips the dot.
    var trimmingLeadingDot: String { hasPrefix(".") ? String(dropFirst()) : self }
}
