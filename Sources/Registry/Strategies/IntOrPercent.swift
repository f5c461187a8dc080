import APIMachinery

/// Upstream's IntOrString-as-percentage checks (ValidatePositiveIntOrPercent, IsNotMoreThan100Percent).
enum IntOrPercent {
    /// The integer, or the percentage's number; nil for a malformed percentage.
    static func value(_ v: JSON) -> (Int64, isPercent: Bool)? {
        if let i = v.intValue { return (i, false) }
        guard let s = v.stringValue, s.hasSuffix("%"), let n = Int64(s.dropLast()) else { return nil }
        return (n, true)
    }

    /// The rules of a StatefulSet's `rollingUpdate.maxUnavailable`.
    static func validateMaxUnavailable(_ v: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        switch v {
        case .string(let s):
            if value(v) == nil || s.hasPrefix("-") || s.hasPrefix("+") {
                errs.append(.invalid(path, v, NameValidation.regexError("a valid percent string must be a numeric string followed by an ending '%'",
                                                                          "[0-9]+%", "1%", "93%")))
                return errs
            }
        case .int, .double:
            errs += FieldValidation.nonnegative(v, path)
        default:
            errs.append(.invalid(path, v, "must be an integer or percentage (e.g '5%%')"))
            return errs
        }
        if let (n, isPercent) = value(v) {
            if n == 0 { errs.append(.invalid(path, v, "cannot be 0")) }
            if isPercent && n > 100 { errs.append(.invalid(path, v, "must not be greater than 100%")) }
        }
        return errs
    }

    /// ValidatePositiveIntOrPercent (a Deployment's maxSurge and maxUnavailable): a percent string
    /// or a non-negative integer.
    static func validatePositive(_ v: JSON, _ path: FieldPath) -> [FieldError] {
        switch v {
        case .string(let s):
            if value(v) == nil || s.hasPrefix("-") || s.hasPrefix("+") {
                return [.invalid(path, v, NameValidation.regexError("a valid percent string must be a numeric string followed by an ending '%'",
                                                                    "[0-9]+%", "1%", "93%"))]
            }
            return []
        case .int, .double:
            return FieldValidation.nonnegative(v, path)
        default:
            return [.invalid(path, v, "must be an integer or percentage (e.g '5%')")]
        }
    }
}
