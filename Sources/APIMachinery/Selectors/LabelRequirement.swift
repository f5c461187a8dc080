/// One condition on a label, shared by API label selectors (`metav1.LabelSelector`) and the
/// `?labelSelector=` query syntax; mirrors k8s.io/apimachinery/pkg/labels.Requirement.
public struct LabelRequirement: Sendable, Equatable {
    public enum Operator: String, Sendable {
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
        case `in` = "in"
        case notIn = "notin"
        case exists = "exists"
        case doesNotExist = "!"
        case greaterThan = "gt"
        case lessThan = "lt"
    }

    public var key: String
    public var op: Operator
    public var values: [String]

    public init(key: String, op: Operator, values: [String] = []) {
        self.key = key; self.op = op; self.values = values
    }

    /// Upstream Requirement.Matches: set-inclusion operators need the label; exclusion operators
    /// also match objects without it; `gt`/`lt` need the label and both sides to be integers.
    public func matches(_ labels: [String: String]) -> Bool {
        switch op {
        case .equals, .doubleEquals, .in:
            guard let value = labels[key] else { return false }
            return values.contains(value)
        case .notEquals, .notIn:
            guard let value = labels[key] else { return true }
            return !values.contains(value)
        case .exists:
            return labels[key] != nil
        case .doesNotExist:
            return labels[key] == nil
        case .greaterThan, .lessThan:
            guard let value = labels[key], let have = Int64(value), values.count == 1, let bound = Int64(values[0]) else { return false }
            return op == .greaterThan ? have > bound : have < bound
        }
    }

    /// Upstream Requirement.String(), e.g. `app in (a,b)`, `!tier`, `x!=y`; values sorted as upstream stores them.
    public var description: String {
        switch op {
        case .exists: return key
        case .doesNotExist: return "!" + key
        case .in, .notIn: return "\(key) \(op.rawValue) (\(values.sorted().joined(separator: ",")))"
        case .greaterThan: return "\(key)>\(values.first ?? "")"
        case .lessThan: return "\(key)<\(values.first ?? "")"
        default: return "\(key)\(op.rawValue)\(values.first ?? "")"
        }
    }
}
