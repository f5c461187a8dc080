import APIMachinery

/// validateSuccessPolicy (pkg/apis/batch/validation): Indexed Jobs only; 1-20 rules, each with
/// succeededIndexes (valid, increasing intervals below completions) and/or succeededCount (not
/// above completions, nor above the number of indexes named).
enum SuccessPolicyValidation {
    static func validate(_ spec: JSON, _ path: FieldPath) -> [FieldError] {
        guard spec["completionMode"]?.stringValue == "Indexed" else {
            return [FieldError(.invalid, path, value: "batch.SuccessPolicy{...}", "requires indexed completion mode")]
        }
        let rules = spec[path: "successPolicy", "rules"]?.arrayValue ?? []
        let rulesPath = path.child("rules")
        var errs: [FieldError] = []
        if rules.isEmpty { errs.append(.required(rulesPath, "at least one rules must be specified when the successPolicy is specified")) }
        if rules.count > 20 { errs.append(.tooMany(rulesPath, actual: rules.count, max: 20)) }
        let completions = spec["completions"]?.intValue ?? 0
        for (i, rule) in rules.enumerated() { errs += validateRule(rule, completions: completions, rulesPath.index(i)) }
        return errs
    }

    static func validateRule(_ rule: JSON, completions: Int64, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        let indexes = rule["succeededIndexes"]?.stringValue
        let count = rule["succeededCount"]?.intValue
        if indexes == nil && count == nil {
            errs.append(.required(path, "at least one of succeededCount or succeededIndexes must be specified"))
        }
        var total: Int64 = 0
        if let indexes {
            let indexesPath = path.child("succeededIndexes")
            if indexes.utf8.count > 65536 { errs.append(FieldError(.tooLong, indexesPath, "may not be more than 65536 bytes")) }
            switch IndexIntervals.parse(indexes, completions: completions) {
            case .success(let n): total = n
            case .failure(let error): errs.append(.invalid(indexesPath, indexes, "error parsing succeededIndexes: \(error.message)"))
            }
        }
        if let count {
            let countPath = path.child("succeededCount")
            errs += FieldValidation.nonnegative(rule["succeededCount"], countPath)
            if count > completions {
                errs.append(.invalid(countPath, rule["succeededCount"], "must be less than or equal to \(completions) (the number of specified completions)"))
            }
            if indexes != nil, count > total {
                errs.append(.invalid(countPath, rule["succeededCount"], "must be less than or equal to \(total) (the number of indexes in the specified succeededIndexes field)"))
            }
        }
        return errs
    }
}

/// validateIndexesFormat: `0,2-4` style intervals, increasing, each index below completions;
/// gives the number of indexes named.
enum IndexIntervals {
    struct ParseError: Error { let message: String }

    static func parse(_ text: String, completions: Int64) -> Result<Int64, ParseError> {
        if text.isEmpty { return .success(0) }
        var last: Int64?
        var total: Int64 = 0
        for interval in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let limits = interval.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            if limits.count > 2 {
                return .failure(ParseError(message: "the fragment \(FieldError.quote(interval)) violates the requirement that an index interval can have at most two parts separated by '-'"))
            }
            guard let x = Int64(limits[0]) else {
                return .failure(ParseError(message: "cannot convert string to integer for index: \(FieldError.quote(limits[0]))"))
            }
            if x >= completions { return .failure(ParseError(message: "too large index: \(FieldError.quote(limits[0]))")) }
            if let last, last >= x { return .failure(ParseError(message: "non-increasing order, previous: \(last), current: \(x)")) }
            total += 1
            last = x
            if limits.count == 2 {
                guard let y = Int64(limits[1]) else {
                    return .failure(ParseError(message: "cannot convert string to integer for index: \(FieldError.quote(limits[1]))"))
                }
                if y >= completions { return .failure(ParseError(message: "too large index: \(FieldError.quote(limits[1]))")) }
                if x >= y { return .failure(ParseError(message: "non-increasing order, previous: \(x), current: \(y)")) }
                total += y - x
                last = y
            }
        }
        return .success(total)
    }
}
