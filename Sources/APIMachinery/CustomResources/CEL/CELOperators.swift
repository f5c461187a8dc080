/// CEL's binary operators: heterogeneous numeric equality and ordering (an int compares with a
/// double by value), checked integer arithmetic, and concatenation of strings and lists.
enum CELOperators {
    static func apply(_ op: String, _ l: JSON, _ r: JSON) throws(CELEvaluationError) -> JSON {
        switch op {
        case "==": return .bool(SemanticJSON.equal(l, r))
        case "!=": return .bool(!SemanticJSON.equal(l, r))
        case "<", "<=", ">", ">=":
            let order = try compare(l, r, op)
            switch op {
            case "<": return .bool(order < 0)
            case "<=": return .bool(order <= 0)
            case ">": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case "in":
            switch r {
            case .array(let items): return .bool(items.contains { SemanticJSON.equal($0, l) })
            case .object(let members):
                guard case .string(let key) = l else { return false }
                return .bool(members[key] != nil)
            default: throw noOverload("@in", l, r)
            }
        default:
            return try arithmetic(op, l, r)
        }
    }

    private static func compare(_ l: JSON, _ r: JSON, _ op: String) throws(CELEvaluationError) -> Int {
        switch (l, r) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.string(let a), .string(let b)):
            // CEL orders strings by code point.
            let x = Array(a.unicodeScalars.map(\.value)), y = Array(b.unicodeScalars.map(\.value))
            return x.lexicographicallyPrecedes(y) ? -1 : (x == y ? 0 : 1)
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (!a ? -1 : 1)
        default:
            guard let a = SchemaValueValidator.double(l), let b = SchemaValueValidator.double(r) else {
                throw noOverload(op, l, r)
            }
            return a < b ? -1 : (a == b ? 0 : 1)
        }
    }

    private static func arithmetic(_ op: String, _ l: JSON, _ r: JSON) throws(CELEvaluationError) -> JSON {
        switch (l, r) {
        case (.int(let a), .int(let b)):
            let result: (Int64, Bool)
            switch op {
            case "+": result = a.addingReportingOverflow(b)
            case "-": result = a.subtractingReportingOverflow(b)
            case "*": result = a.multipliedReportingOverflow(by: b)
            case "/":
                guard b != 0 else { throw CELEvaluationError("division by zero") }
                result = a.dividedReportingOverflow(by: b)
            case "%":
                guard b != 0 else { throw CELEvaluationError("modulus by zero") }
                result = a.remainderReportingOverflow(dividingBy: b)
            default: throw noOverload(op, l, r)
            }
            if result.1 { throw CELEvaluationError("integer overflow") }
            return .int(result.0)
        case (.double(let a), .double(let b)):
            switch op {
            case "+": return .double(a + b)
            case "-": return .double(a - b)
            case "*": return .double(a * b)
            case "/": return .double(a / b)
            default: throw noOverload(op, l, r)
            }
        case (.string(let a), .string(let b)) where op == "+": return .string(a + b)
        case (.array(let a), .array(let b)) where op == "+": return .array(a + b)
        default:
            throw noOverload(op, l, r)
        }
    }
}
