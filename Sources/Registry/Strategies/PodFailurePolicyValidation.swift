import APIMachinery

/// validatePodFailurePolicy (pkg/apis/batch/validation): at most 20 rules, each with a known
/// action and exactly one of onExitCodes (an operator, a container of the template, 1-255 ordered,
/// distinct exit codes, none 0 for In) or onPodConditions (at most 20 patterns of a condition type
/// and status).
enum PodFailurePolicyValidation {
    static let actions = ["Count", "FailIndex", "FailJob", "Ignore"]
    static let operators = ["In", "NotIn"]
    static let statuses = ["False", "True", "Unknown"]

    static func validate(_ spec: JSON, _ path: FieldPath) -> [FieldError] {
        let rules = spec[path: "podFailurePolicy", "rules"]?.arrayValue ?? []
        let rulesPath = path.child("rules")
        var errs: [FieldError] = []
        if rules.count > 20 { errs.append(.tooMany(rulesPath, actual: rules.count, max: 20)) }
        let podSpec = spec[path: "template", "spec"] ?? [:]
        let containerNames = Set(((podSpec["containers"]?.arrayValue ?? []) + (podSpec["initContainers"]?.arrayValue ?? []))
            .compactMap { $0["name"]?.stringValue })
        for (i, rule) in rules.enumerated() {
            errs += validateRule(rule, spec, rulesPath.index(i), containerNames)
        }
        return errs
    }

    static func quotedList(_ values: [String]) -> String {
        "[" + values.map { FieldError.quote($0) }.joined(separator: " ") + "]"
    }

    static func validateRule(_ rule: JSON, _ spec: JSON, _ path: FieldPath, _ containerNames: Set<String>) -> [FieldError] {
        var errs: [FieldError] = []
        let actionPath = path.child("action")
        let action = rule["action"]?.stringValue ?? ""
        if action.isEmpty {
            errs.append(.required(actionPath, "valid values: \(quotedList(actions))"))
        } else if action == "FailIndex" {
            if spec.isUnset("backoffLimitPerIndex") {
                errs.append(.invalid(actionPath, rule["action"], "requires the backoffLimitPerIndex to be set"))
            }
        } else if !actions.contains(action) {
            errs.append(.notSupported(actionPath, rule["action"], actions))
        }
        let onExitCodes = rule["onExitCodes"].flatMap { $0 == .null ? nil : $0 }
        let onPodConditions = rule["onPodConditions"]?.arrayValue ?? []
        if let onExitCodes { errs += validateOnExitCodes(onExitCodes, path.child("onExitCodes"), containerNames) }
        if !onPodConditions.isEmpty { errs += validateOnPodConditions(onPodConditions, path.child("onPodConditions")) }
        if onExitCodes != nil && !onPodConditions.isEmpty {
            errs.append(.invalidOmittingValue(path, "specifying both OnExitCodes and OnPodConditions is not supported"))
        }
        if onExitCodes == nil && onPodConditions.isEmpty {
            errs.append(.invalidOmittingValue(path, "specifying one of OnExitCodes and OnPodConditions is required"))
        }
        return errs
    }

    static func validateOnPodConditions(_ patterns: [JSON], _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        if patterns.count > 20 { errs.append(.tooMany(path, actual: patterns.count, max: 20)) }
        for (j, pattern) in patterns.enumerated() {
            let patternPath = path.index(j)
            errs += FieldValidation.qualifiedName(pattern["type"]?.stringValue ?? "", patternPath.child("type"))
            let status = pattern["status"]?.stringValue ?? ""
            if status.isEmpty {
                errs.append(.required(patternPath.child("status"), "valid values: \(quotedList(statuses))"))
            } else if !statuses.contains(status) {
                errs.append(.notSupported(patternPath.child("status"), pattern["status"], statuses))
            }
        }
        return errs
    }

    static func validateOnExitCodes(_ requirement: JSON, _ path: FieldPath, _ containerNames: Set<String>) -> [FieldError] {
        var errs: [FieldError] = []
        let operatorValue = requirement["operator"]?.stringValue ?? ""
        if operatorValue.isEmpty {
            errs.append(.required(path.child("operator"), "valid values: \(quotedList(operators))"))
        } else if !operators.contains(operatorValue) {
            errs.append(.notSupported(path.child("operator"), requirement["operator"], operators))
        }
        if let name = requirement["containerName"]?.stringValue, !containerNames.contains(name) {
            errs.append(.invalid(path.child("containerName"), name, "must be one of the container or initContainer names in the pod template"))
        }
        let values = requirement["values"]?.arrayValue ?? []
        let valuesPath = path.child("values")
        let goValues = "[]int32{" + values.map { String($0.intValue ?? 0) }.joined(separator: ", ") + "}"
        if values.isEmpty {
            errs.append(FieldError(.invalid, valuesPath, value: "[]int32(nil)", "at least one value is required"))
        } else if values.count > 255 {
            errs.append(.tooMany(valuesPath, actual: values.count, max: 255))
        }
        var seen = Set<Int64>()
        var ordered = true
        for (j, value) in values.enumerated() {
            let code = value.intValue ?? 0
            if operatorValue == "In", code == 0 { errs.append(.invalid(valuesPath.index(j), value, "must not be 0 for the In operator")) }
            if !seen.insert(code).inserted { errs.append(.duplicate(valuesPath.index(j), value)) }
            if j > 0, (values[j - 1].intValue ?? 0) > code { ordered = false }
        }
        if !ordered { errs.append(FieldError(.invalid, valuesPath, value: goValues, "must be ordered")) }
        return errs
    }
}
