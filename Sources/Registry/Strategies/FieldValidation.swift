import APIMachinery

/// The small checks of k8s.io/kubernetes/pkg/apis/core/validation that every kind's validation
/// uses, returning upstream's field errors.
enum FieldValidation {
    static let isNegativeErrorMsg = "must be greater than or equal to 0"
    static let isNotIntegerErrorMsg = "must be an integer"
    static let fieldImmutableErrorMsg = "field is immutable"
    static let fileModeErrorMsg = "must be a number between 0 and 0777 (octal), both inclusive"
    static let quantityFormatErrorMsg =
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

    /// Upstream ValidateNonnegativeField, for an optional integer member.
    static func nonnegative(_ value: JSON?, _ path: FieldPath) -> [FieldError] {
        guard let v = value?.intValue, v < 0 else { return [] }
        return [.invalid(path, value, isNegativeErrorMsg)]
    }

    /// Upstream ValidateDNS1123Label.
    static func dns1123Label(_ value: String, _ path: FieldPath) -> [FieldError] {
        NameValidation.isDNS1123Label(value).map { .invalid(path, value, $0) }
    }

    /// Upstream ValidateDNS1123Subdomain.
    static func dns1123Subdomain(_ value: String, _ path: FieldPath) -> [FieldError] {
        NameValidation.isDNS1123Subdomain(value).map { .invalid(path, value, $0) }
    }

    /// Upstream ValidateQualifiedName.
    static func qualifiedName(_ value: String, _ path: FieldPath) -> [FieldError] {
        NameValidation.isQualifiedName(value).map { .invalid(path, value, $0) }
    }

    /// Upstream ValidateImmutableField: a changed value is reported with the new value.
    static func immutable(_ new: JSON?, _ old: JSON?, _ path: FieldPath) -> [FieldError] {
        normalized(new) == normalized(old) ? [] : [.invalid(path, new ?? .null, fieldImmutableErrorMsg)]
    }

    /// Absent and null compare equal, as both decode to Go's nil.
    static func normalized(_ value: JSON?) -> JSON { value ?? .null }

    /// Upstream's check of an enumerated string: Required when empty, NotSupported otherwise.
    static func enumValue(_ value: JSON?, _ supported: [String], _ path: FieldPath, required: Bool = true) -> [FieldError] {
        let s = value?.stringValue ?? ""
        if s.isEmpty { return required ? [.required(path, "")] : [] }
        return supported.contains(s) ? [] : [.notSupported(path, value, supported)]
    }

    /// Upstream validateFileMode: 0 to 0777.
    static func fileMode(_ value: JSON?, _ path: FieldPath) -> [FieldError] {
        guard let mode = value?.intValue, !(0...0o777).contains(mode) else { return [] }
        return [.invalid(path, value, fileModeErrorMsg)]
    }

    /// A quantity member, parsed; an unparsable one yields the error upstream's decoder gives.
    static func quantity(_ value: JSON?, _ path: FieldPath, errors: inout [FieldError]) -> Quantity? {
        guard let value, value != .null else { return nil }
        let text: String
        switch value {
        case .string(let s): text = s
        case .int, .double: text = FieldError.render(value)
        default: errors.append(.invalid(path, value, quantityFormatErrorMsg)); return nil
        }
        guard let q = try? Quantity(parsing: text) else {
            errors.append(.invalid(path, value, quantityFormatErrorMsg))
            return nil
        }
        return q
    }

    /// Upstream ValidateNonnegativeQuantity.
    static func nonnegativeQuantity(_ q: Quantity, _ path: FieldPath) -> [FieldError] {
        q.isNegative ? [.invalid(path, q.canonical, isNegativeErrorMsg)] : []
    }

    /// Upstream ValidatePortNumOrName, for an IntOrString port (`targetPort`, probes' `port`).
    static func portNumOrName(_ value: JSON?, _ path: FieldPath) -> [FieldError] {
        switch value {
        case .int(let n)?:
            return NameValidation.isValidPortNum(n).map { .invalid(path, value, $0) }
        case .string(let s)?:
            if s.isEmpty { return [.required(path, "")] }
            return NameValidation.isValidPortName(s).map { .invalid(path, value, $0) }
        case nil, .null?:
            return [.required(path, "")]
        default:
            return [.invalid(path, value, "must be an integer or string")]
        }
    }

    /// Go %#v of the label maps that upstream passes as bad values (`map[string]string{"a":"b"}`).
    static func goStringMap(_ value: JSON?) -> String {
        let pairs = (value?.objectValue ?? [:]).compactMap { k, v in v.stringValue.map { (k, $0) } }
            .sorted { $0.0 < $1.0 }
            .map { "\(FieldError.quote($0.0)):\(FieldError.quote($0.1))" }
        return "map[string]string{\(pairs.joined(separator: ", "))}"
    }
}

extension FieldValidation {
    /// Go's zero value as JSON carries it: null, "", 0, false, or an empty list or map.
    static func isEmptyValue(_ value: JSON) -> Bool {
        switch value {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .int(let i): return i == 0
        case .bool(let b): return !b
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        default: return false
        }
    }
}
