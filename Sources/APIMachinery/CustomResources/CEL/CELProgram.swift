/// A compiled `x-kubernetes-validations` rule (or messageExpression), checked against the schema of
/// the node it sits on as upstream's type-checker does for the common cases: a field that the schema
/// does not declare is an undefined field, and a rule must produce a bool.
public struct CELProgram: Sendable {
    public let source: String
    let expression: CELExpression
    public let usesOldSelf: Bool

    /// Parses `source` and checks it against `schema`, the node `self` stands for.
    /// - Parameter expecting: the result type the expression must have, `bool` for a rule and
    ///   `string` for a messageExpression.
    /// - Parameter isResourceRoot: the node is the custom resource's root, where `metadata` has only
    ///   `name` and `generateName` (as at every embedded resource).
    public static func compile(_ source: String, schema: JSONSchemaProps?, isResourceRoot: Bool = false,
                               expecting: String = "bool") throws(CELCompileError) -> CELProgram {
        let expression = try CELParser.parse(source)
        let checker = CELTypeCheck(source: source, root: schema, rootIsResource: isResourceRoot)
        let type = try checker.check(expression)
        if expecting != "dyn", let type, type != expecting, type != "dyn" {
            throw CELCompileError(message: "cel expression must evaluate to a \(expecting)", offset: 0, source: source)
        }
        return CELProgram(source: source, expression: expression, usesOldSelf: expression.usesOldSelf)
    }

    /// Runs the program with `self` (and `oldSelf` for a transition rule).
    public func evaluate(self value: JSON, oldSelf: JSON?) throws(CELEvaluationError) -> JSON {
        var bindings: [String: JSON] = ["self": value]
        if let oldSelf { bindings["oldSelf"] = oldSelf }
        var evaluator = CELEvaluator(bindings: bindings)
        return try evaluator.evaluate(expression)
    }
}

/// The static part of cel-go's checker that matters for CRD rules: field selections on `self` and
/// `oldSelf` are resolved through the schema, and the result type is inferred where it is evident.
struct CELTypeCheck {
    let source: String
    let root: JSONSchemaProps?
    let rootIsResource: Bool

    /// What CEL declares for metadata at a resource root: upstream exposes only these two fields.
    static let resourceMetadata: JSONSchemaProps = try! JSONSchemaProps(parsing: [
        "type": "object", "properties": ["name": ["type": "string"], "generateName": ["type": "string"]],
    ])

    /// The inferred CEL type name, or nil when unknown (dyn, or depends on data).
    func check(_ e: CELExpression) throws(CELCompileError) -> String? {
        _ = try schemaOf(e)
        return try type(e)
    }

    /// The schema node an expression reads, when it is a path from `self`/`oldSelf`.
    private func schemaOf(_ e: CELExpression) throws(CELCompileError) -> JSONSchemaProps? {
        switch e {
        case .identifier("self"), .identifier("oldSelf"): return root
        case .select(let operand, let field, let offset):
            guard let parent = try schemaOf(operand) else { return nil }
            let isResource = parent.xEmbeddedResource || (rootIsResource && parent === root)
            if isResource, field == "metadata" { return Self.resourceMetadata }
            if isResource, field == "apiVersion" || field == "kind" { return parent.properties[field] }
            if let p = parent.properties[field] { return p }
            if let additional = parent.additionalProperties?.schema { return additional }
            if parent.xPreserveUnknownFields == true || parent.additionalProperties != nil { return nil }
            if parent.type == "object" || !parent.properties.isEmpty {
                throw CELCompileError(message: "undefined field '\(field)'", offset: offset, source: source)
            }
            return nil
        case .has(let operand, _):
            _ = try schemaOf(operand)
            return nil
        case .index(let operand, let i):
            _ = try schemaOf(i)
            guard let parent = try schemaOf(operand) else { return nil }
            return parent.type == "array" ? parent.items : parent.additionalProperties?.schema
        default:
            try children(e)
            return nil
        }
    }

    private func children(_ e: CELExpression) throws(CELCompileError) {
        switch e {
        case .literal, .identifier: return
        case .select, .has, .index: _ = try schemaOf(e)
        case .call(_, let target, let args):
            if let target { _ = try schemaOf(target) }
            for a in args { _ = try schemaOf(a) }
        case .unary(_, let a): _ = try schemaOf(a)
        case .binary(_, let a, let b): _ = try schemaOf(a); _ = try schemaOf(b)
        case .conditional(let a, let b, let c): _ = try schemaOf(a); _ = try schemaOf(b); _ = try schemaOf(c)
        case .list(let items): for i in items { _ = try schemaOf(i) }
        case .map(let entries): for (k, v) in entries { _ = try schemaOf(k); _ = try schemaOf(v) }
        case .comprehension(_, let range, _, let p, let t):
            _ = try schemaOf(range); _ = try schemaOf(p)
            if let t { _ = try schemaOf(t) }
        }
    }

    private func type(_ e: CELExpression) throws(CELCompileError) -> String? {
        switch e {
        case .literal(let v):
            switch v {
            case .bool: return "bool"
            case .int: return "int"
            case .double: return "double"
            case .string: return "string"
            case .null: return "null_type"
            default: return nil
            }
        case .has: return "bool"
        case .unary("!", _): return "bool"
        case .binary(let op, _, _) where ["==", "!=", "<", "<=", ">", ">=", "in", "&&", "||"].contains(op): return "bool"
        case .binary("+", let a, let b):
            let (x, y) = (try type(a), try type(b))
            return x == y ? x : nil
        case .list: return "list"
        case .map: return "map"
        case .comprehension(let macro, _, _, _, _): return ["all", "exists", "exists_one"].contains(macro) ? "bool" : "list"
        case .call(let f, _, _):
            switch f {
            case "size", "int", "indexOf", "lastIndexOf": return "int"
            case "startsWith", "endsWith", "contains", "matches", "isSorted": return "bool"
            case "string", "lowerAscii", "upperAscii", "trim", "substring", "replace", "join": return "string"
            case "double": return "double"
            default: return nil
            }
        case .select, .index, .identifier:
            guard let s = try schemaOf(e) else { return nil }
            switch s.type {
            case "boolean": return "bool"
            case "integer": return "int"
            case "number": return "double"
            case "string": return "string"
            case "array": return "list"
            case "object": return "map"
            default: return nil
            }
        case .conditional(_, let a, let b):
            let (x, y) = (try type(a), try type(b))
            return x == y ? x : nil
        default: return nil
        }
    }
}
