/// An API object's label selector (`metav1.LabelSelector`: `matchLabels` and `matchExpressions`),
/// as StatefulSets, Deployments and PodDisruptionBudgets carry it.
///
/// Matching follows upstream LabelSelectorAsSelector: an absent (nil or null) selector matches
/// nothing, a present but empty selector (`{}`) matches everything, otherwise every requirement
/// must hold. A requirement with an unknown operator (invalid, rejected by `validate`) matches nothing.
public struct LabelSelector: Sendable, Equatable {
    public var requirements: [LabelRequirement]
    /// True for an absent selector, which selects no object.
    public var matchesNothing: Bool

    public init(json: JSON?) {
        guard let json, let object = json.objectValue else {
            requirements = []
            matchesNothing = true
            return
        }
        matchesNothing = false
        var requirements: [LabelRequirement] = []
        for (key, value) in object["matchLabels"]?.objectValue ?? [:] {
            requirements.append(LabelRequirement(key: key, op: .equals, values: [value.stringValue ?? ""]))
        }
        for expression in object["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
            switch expression["operator"]?.stringValue {
            case "In": requirements.append(LabelRequirement(key: key, op: .in, values: values))
            case "NotIn": requirements.append(LabelRequirement(key: key, op: .notIn, values: values))
            case "Exists": requirements.append(LabelRequirement(key: key, op: .exists))
            case "DoesNotExist": requirements.append(LabelRequirement(key: key, op: .doesNotExist))
            default: matchesNothing = true
            }
        }
        self.requirements = requirements
    }

    /// A present selector with no requirements: it selects every object.
    public var isEmpty: Bool { !matchesNothing && requirements.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        !matchesNothing && requirements.allSatisfy { $0.matches(labels) }
    }

    /// The selector in `?labelSelector=` syntax, as upstream's Selector.String() writes it
    /// (requirements sorted by key), e.g. for a Scale's `status.selector`.
    public var queryString: String {
        requirements.sorted { $0.key < $1.key }.map(\.description).joined(separator: ",")
    }

    /// Upstream ValidateLabelSelector. `allowInvalidLabelValueInSelector` keeps accepting values stored
    /// before value checking existed (upstream passes it on update when the old object had such values).
    public static func validate(_ json: JSON?, path: FieldPath, allowInvalidLabelValueInSelector: Bool = false) -> [FieldError] {
        guard let json, let object = json.objectValue else { return [] }
        var errs = ObjectMetaValidation.validateLabels(object["matchLabels"], path: path.child("matchLabels"))
        for (i, expression) in (object["matchExpressions"]?.arrayValue ?? []).enumerated() {
            let exprPath = path.child("matchExpressions").index(i)
            let values = expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let op = expression["operator"]?.stringValue ?? ""
            switch op {
            case "In", "NotIn":
                if values.isEmpty {
                    errs.append(.required(exprPath.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
                }
            case "Exists", "DoesNotExist":
                if !values.isEmpty {
                    errs.append(.forbidden(exprPath.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
                }
            default:
                errs.append(.invalid(exprPath.child("operator"), op, "not a valid selector operator"))
            }
            errs += ObjectMetaValidation.validateLabelName(expression["key"]?.stringValue ?? "", path: exprPath.child("key"))
            if !allowInvalidLabelValueInSelector {
                for (j, value) in values.enumerated() {
                    errs += NameValidation.isValidLabelValue(value).map { .invalid(exprPath.child("values").index(j), value, $0) }
                }
            }
        }
        return errs
    }
}
