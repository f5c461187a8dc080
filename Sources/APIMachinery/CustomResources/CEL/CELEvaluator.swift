/// A runtime failure of a rule; apiextensions reports it as `<message> evaluating rule: <rule>`.
public struct CELEvaluationError: Error, Sendable, Equatable {
    public var message: String
    init(_ message: String) { self.message = message }
}

/// Evaluates a parsed rule over JSON values (`self`, `oldSelf` and macro variables).
///
/// Values are the JSON the object holds: CEL's int, double, string, bool, null, list and map (with
/// string keys, as every Kubernetes object has). `&&` and `||` are commutative over errors as in CEL:
/// `false && <error>` is false whichever side fails.
struct CELEvaluator {
    var bindings: [String: JSON]
    /// Steps left before the rule is cancelled, standing in for upstream's per-call cost limit.
    var budget = 1_000_000

    mutating func evaluate(_ e: CELExpression) throws(CELEvaluationError) -> JSON {
        budget -= 1
        if budget < 0 { throw CELEvaluationError("operation cancelled: actual cost limit exceeded") }
        switch e {
        case .literal(let v): return v
        case .identifier(let name):
            guard let v = bindings[name] else { throw CELEvaluationError("no such attribute: \(name)") }
            return v
        case .select(let operand, let field, _):
            let target = try evaluate(operand)
            guard case .object(let members) = target else { throw noOverload("_._", target) }
            guard let v = members[field] else { throw CELEvaluationError("no such key: \(field)") }
            return v
        case .has(let operand, let field):
            let target = try evaluate(operand)
            guard case .object(let members) = target else { throw noOverload("has", target) }
            return .bool(members[field] != nil)
        case .index(let operand, let indexExpression):
            return try index(try evaluate(operand), try evaluate(indexExpression))
        case .call(let function, let target, let arguments):
            let receiver = try target.map { (t) throws(CELEvaluationError) in try evaluate(t) }
            var args: [JSON] = []
            for a in arguments { args.append(try evaluate(a)) }
            return try CELFunctions.call(function, receiver: receiver, args)
        case .unary(let op, let operand):
            let v = try evaluate(operand)
            switch (op, v) {
            case ("!", .bool(let b)): return .bool(!b)
            case ("-", .int(let i)):
                guard i != .min else { throw CELEvaluationError("integer overflow") }
                return .int(-i)
            case ("-", .double(let d)): return .double(-d)
            default: throw noOverload(op, v)
            }
        case .binary("&&", let l, let r): return try logical(l, r, shortCircuit: false)
        case .binary("||", let l, let r): return try logical(l, r, shortCircuit: true)
        case .binary(let op, let l, let r):
            return try CELOperators.apply(op, try evaluate(l), try evaluate(r))
        case .conditional(let c, let t, let f):
            let condition = try evaluate(c)
            guard case .bool(let b) = condition else { throw noOverload("_?_:_", condition) }
            return try evaluate(b ? t : f)
        case .list(let items):
            var out: [JSON] = []
            for item in items { out.append(try evaluate(item)) }
            return .array(out)
        case .map(let entries):
            var out: JSONObject = [:]
            for (k, v) in entries {
                let key = try evaluate(k)
                guard case .string(let s) = key else { throw CELEvaluationError("unsupported key type") }
                if out[s] != nil { throw CELEvaluationError("Failed with repeated key") }
                out[s] = try evaluate(v)
            }
            return .object(out)
        case .comprehension(let macro, let range, let variable, let predicate, let transform):
            return try comprehension(macro, try evaluate(range), variable, predicate, transform)
        }
    }

    private mutating func logical(_ l: CELExpression, _ r: CELExpression, shortCircuit: Bool) throws(CELEvaluationError) -> JSON {
        var leftError: CELEvaluationError?
        do throws(CELEvaluationError) {
            let left = try evaluate(l)
            guard case .bool(let b) = left else { throw noOverload(shortCircuit ? "_||_" : "_&&_", left) }
            if b == shortCircuit { return .bool(b) }
        } catch {
            leftError = error
        }
        let right = try evaluate(r)
        guard case .bool(let b) = right else { throw noOverload(shortCircuit ? "_||_" : "_&&_", right) }
        if b == shortCircuit { return .bool(b) }
        if let leftError { throw leftError }
        return .bool(b)
    }

    private func index(_ target: JSON, _ key: JSON) throws(CELEvaluationError) -> JSON {
        switch (target, key) {
        case (.array(let items), .int(let i)):
            guard i >= 0, i < items.count else { throw CELEvaluationError("index out of bounds: \(i)") }
            return items[Int(i)]
        case (.array(let items), .double(let d)) where d.rounded() == d:
            guard d >= 0, d < Double(items.count) else { throw CELEvaluationError("index out of bounds: \(FieldError.render(key))") }
            return items[Int(d)]
        case (.object(let members), .string(let k)):
            guard let v = members[k] else { throw CELEvaluationError("no such key: \(k)") }
            return v
        default:
            throw noOverload("_[_]", target)
        }
    }

    private mutating func comprehension(_ macro: String, _ range: JSON, _ variable: String,
                                        _ predicate: CELExpression, _ transform: CELExpression?) throws(CELEvaluationError) -> JSON {
        let elements: [JSON]
        switch range {
        case .array(let items): elements = items
        case .object(let members): elements = members.keys.map(JSON.string)
        default: throw noOverload(macro, range)
        }
        let saved = bindings[variable]
        defer { bindings[variable] = saved }
        var matched = 0
        var firstError: CELEvaluationError?
        var mapped: [JSON] = []
        for element in elements {
            bindings[variable] = element
            let outcome: JSON
            do throws(CELEvaluationError) {
                outcome = try evaluate(predicate)
            } catch {
                // all/exists keep going: a later decisive element wins over an earlier error, as in CEL.
                if macro == "all" || macro == "exists" { firstError = firstError ?? error; continue }
                throw error
            }
            guard case .bool(let b) = outcome else { throw noOverload(macro, outcome) }
            switch macro {
            case "all": if !b { return false }
            case "exists": if b { return true }
            case "exists_one": if b { matched += 1 }
            case "filter": if b { mapped.append(element) }
            case "map": if b, let transform { mapped.append(try evaluate(transform)) }
            default: break
            }
        }
        if let firstError { throw firstError }
        switch macro {
        case "all": return true
        case "exists": return false
        case "exists_one": return .bool(matched == 1)
        default: return .array(mapped)
        }
    }
}

func noOverload(_ function: String, _ values: JSON...) -> CELEvaluationError {
    CELEvaluationError("no such overload: \(function)(\(values.map(\.celTypeName).joined(separator: ", ")))")
}

extension JSON {
    /// The CEL type name of a value, as cel-go prints it in overload errors.
    var celTypeName: String {
        switch self {
        case .null: return "null_type"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "double"
        case .string: return "string"
        case .array: return "list"
        case .object: return "map"
        }
    }
}
