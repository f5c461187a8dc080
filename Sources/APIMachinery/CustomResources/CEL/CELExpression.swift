/// The syntax tree of a parsed rule. Macros (`has`, `all`, `exists`, `exists_one`, `map`, `filter`)
/// are their own cases, as cel-go expands them at parse time; every other call names a function the
/// evaluator implements, which the parser has already checked.
indirect enum CELExpression: Sendable {
    case literal(JSON)
    case identifier(String)
    /// A field selection, with the offset of the field name for compile errors.
    case select(CELExpression, String, offset: Int)
    case has(CELExpression, String)
    case index(CELExpression, CELExpression)
    /// A global call `f(args)` or a receiver call `target.f(args)`.
    case call(function: String, target: CELExpression?, arguments: [CELExpression])
    case unary(String, CELExpression)
    case binary(String, CELExpression, CELExpression)
    case conditional(CELExpression, CELExpression, CELExpression)
    case list([CELExpression])
    case map([(CELExpression, CELExpression)])
    case comprehension(macro: String, range: CELExpression, variable: String, predicate: CELExpression, transform: CELExpression?)

    /// Whether the expression reads `oldSelf`, which makes it a transition rule.
    var usesOldSelf: Bool {
        switch self {
        case .literal: return false
        case .identifier(let n): return n == "oldSelf"
        case .select(let e, _, _), .has(let e, _), .unary(_, let e): return e.usesOldSelf
        case .index(let a, let b), .binary(_, let a, let b): return a.usesOldSelf || b.usesOldSelf
        case .call(_, let t, let args): return (t?.usesOldSelf ?? false) || args.contains { $0.usesOldSelf }
        case .conditional(let a, let b, let c): return a.usesOldSelf || b.usesOldSelf || c.usesOldSelf
        case .list(let items): return items.contains { $0.usesOldSelf }
        case .map(let entries): return entries.contains { $0.0.usesOldSelf || $0.1.usesOldSelf }
        case .comprehension(_, let r, _, let p, let t): return r.usesOldSelf || p.usesOldSelf || (t?.usesOldSelf ?? false)
        }
    }
}

/// The functions Kubelite's evaluator implements, by how they are called. Anything else is refused at
/// CRD validation rather than ignored, so a rule is never silently skipped.
enum CELFunctionTable {
    static let global: Set<String> = ["size", "int", "double", "string", "bool", "dyn", "type"]
    static let receiver: Set<String> = [
        "size", "startsWith", "endsWith", "contains", "matches", "lowerAscii", "upperAscii", "trim",
        "indexOf", "lastIndexOf", "substring", "replace", "split", "join", "isSorted", "sum", "min", "max",
    ]
    static let macros: Set<String> = ["all", "exists", "exists_one", "map", "filter"]
}
