/// A recursive-descent parser for CEL's grammar (precedence from lowest: `?:`, `||`, `&&`,
/// relations and `in`, `+ -`, `* / %`, unary `! -`, member access, calls and indexing).
struct CELParser {
    private var tokens: [(CELToken, Int)]
    private var position = 0
    private let source: String
    /// Identifiers a rule may read: `self`, `oldSelf`, and the variables of enclosing macros.
    private var variables: Set<String> = ["self", "oldSelf"]

    static func parse(_ source: String) throws(CELCompileError) -> CELExpression {
        var lexer = CELLexer(source)
        var parser = CELParser(tokens: try lexer.tokens(), source: source)
        let expression = try parser.conditional()
        guard case .end = parser.peek else { throw parser.syntaxError() }
        return expression
    }

    private init(tokens: [(CELToken, Int)], source: String) {
        self.tokens = tokens
        self.source = source
    }

    private var peek: CELToken { tokens[position].0 }
    private var offset: Int { tokens[position].1 }
    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    private func error(_ message: String, at offset: Int) -> CELCompileError {
        CELCompileError(message: message, offset: offset, source: source)
    }

    private func syntaxError() -> CELCompileError {
        let text: String
        switch peek {
        case .end: text = "<EOF>"
        case .identifier(let s), .symbol(let s): text = "'\(s)'"
        case .int(let i): text = "'\(i)'"
        case .double(let d): text = "'\(d)'"
        case .string(let s): text = "'\"\(s)\"'"
        }
        return error("Syntax error: mismatched input \(text)", at: offset)
    }

    private mutating func accept(_ symbol: String) -> Bool {
        if case .symbol(symbol) = peek { advance(); return true }
        return false
    }

    private mutating func expect(_ symbol: String) throws(CELCompileError) {
        guard accept(symbol) else { throw syntaxError() }
    }

    private mutating func conditional() throws(CELCompileError) -> CELExpression {
        let condition = try binaryLevel(0)
        guard accept("?") else { return condition }
        let then = try binaryLevel(0)
        try expect(":")
        let otherwise = try conditional()
        return .conditional(condition, then, otherwise)
    }

    private static let levels: [[String]] = [["||"], ["&&"], ["==", "!=", "<", "<=", ">", ">=", "in"], ["+", "-"], ["*", "/", "%"]]

    private mutating func binaryLevel(_ level: Int) throws(CELCompileError) -> CELExpression {
        guard level < Self.levels.count else { return try unary() }
        var left = try binaryLevel(level + 1)
        while true {
            let op: String
            switch peek {
            case .symbol(let s) where Self.levels[level].contains(s): op = s
            case .identifier("in") where level == 2: op = "in"
            default: return left
            }
            advance()
            let right = try binaryLevel(level + 1)
            left = .binary(op, left, right)
        }
    }

    private mutating func unary() throws(CELCompileError) -> CELExpression {
        if accept("!") { return .unary("!", try unary()) }
        if accept("-") {
            // A negative literal is one literal, so -9223372036854775808 does not overflow.
            if case .int(let i) = peek { advance(); return try postfix(.literal(.int(-i))) }
            return .unary("-", try unary())
        }
        return try postfix(try primary())
    }

    private mutating func postfix(_ start: CELExpression) throws(CELCompileError) -> CELExpression {
        var expression = start
        while true {
            // cel-go places a selection (and its errors) at the dot.
            let at = offset
            if accept(".") {
                guard case .identifier(let name) = peek else { throw syntaxError() }
                advance()
                if accept("(") {
                    expression = try receiverCall(expression, name, at: at)
                } else {
                    expression = .select(expression, name, offset: at)
                }
            } else if accept("[") {
                let index = try conditional()
                try expect("]")
                expression = .index(expression, index)
            } else {
                return expression
            }
        }
    }

    private mutating func arguments() throws(CELCompileError) -> [CELExpression] {
        var args: [CELExpression] = []
        if accept(")") { return args }
        repeat { args.append(try conditional()) } while accept(",")
        try expect(")")
        return args
    }

    private mutating func receiverCall(_ target: CELExpression, _ name: String, at: Int) throws(CELCompileError) -> CELExpression {
        if CELFunctionTable.macros.contains(name) {
            guard case .identifier(let variable) = peek else { throw error("argument is not an identifier", at: offset) }
            advance()
            try expect(",")
            let saved = variables
            variables.insert(variable)
            defer { variables = saved }
            let first = try conditional()
            var second: CELExpression?
            if accept(",") {
                guard name == "map" else { throw error("too many arguments to \(name)", at: at) }
                second = try conditional()
            }
            try expect(")")
            switch name {
            case "map": return .comprehension(macro: "map", range: target, variable: variable,
                                              predicate: second == nil ? .literal(true) : first, transform: second ?? first)
            default: return .comprehension(macro: name, range: target, variable: variable, predicate: first, transform: nil)
            }
        }
        guard CELFunctionTable.receiver.contains(name) else {
            throw error("undeclared reference to '\(name)' (in container ''): not supported by Kubelite's CEL subset", at: at)
        }
        return .call(function: name, target: target, arguments: try arguments())
    }

    private mutating func primary() throws(CELCompileError) -> CELExpression {
        let at = offset
        switch peek {
        case .int(let i): advance(); return .literal(.int(i))
        case .double(let d): advance(); return .literal(.double(d))
        case .string(let s): advance(); return .literal(.string(s))
        case .identifier(let name):
            advance()
            switch name {
            case "true": return .literal(true)
            case "false": return .literal(false)
            case "null": return .literal(.null)
            default: break
            }
            if accept("(") {
                if name == "has" {
                    let argument = try conditional()
                    try expect(")")
                    guard case .select(let operand, let field, _) = argument else {
                        throw error("invalid argument to has() macro", at: at)
                    }
                    return .has(operand, field)
                }
                guard CELFunctionTable.global.contains(name) else {
                    throw error("undeclared reference to '\(name)' (in container ''): not supported by Kubelite's CEL subset", at: at)
                }
                return .call(function: name, target: nil, arguments: try arguments())
            }
            guard variables.contains(name) else { throw error("undeclared reference to '\(name)' (in container '')", at: at) }
            return .identifier(name)
        case .symbol("("):
            advance()
            let inner = try conditional()
            try expect(")")
            return inner
        case .symbol("["):
            advance()
            var items: [CELExpression] = []
            if !accept("]") {
                repeat {
                    if case .symbol("]") = peek { break }
                    items.append(try conditional())
                } while accept(",")
                try expect("]")
            }
            return .list(items)
        case .symbol("{"):
            advance()
            var entries: [(CELExpression, CELExpression)] = []
            if !accept("}") {
                repeat {
                    if case .symbol("}") = peek { break }
                    let key = try conditional()
                    try expect(":")
                    entries.append((key, try conditional()))
                } while accept(",")
                try expect("}")
            }
            return .map(entries)
        default:
            throw syntaxError()
        }
    }
}
