/// A label selector in the string syntax of `?labelSelector=` (k8s.io/apimachinery/pkg/labels.Parse):
/// `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, joined by commas.
///
/// Parse errors carry upstream's texts and surface as 400 BadRequest, as the API server answers an
/// unparsable list option. An empty string selects everything.
public struct LabelSelectorQuery: Sendable, Equatable, CustomStringConvertible {
    /// The requirements, sorted by key as upstream sorts them.
    public var requirements: [LabelRequirement]

    public init(requirements: [LabelRequirement]) { self.requirements = requirements }

    public init(parsing text: String) throws(APIError) {
        var parser = LabelSelectorParser(text)
        do {
            requirements = try parser.parse().enumerated()
                .sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element)
        } catch {
            throw APIError.badRequest(error.message)
        }
    }

    public var isEmpty: Bool { requirements.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// Upstream Selector.String().
    public var description: String { requirements.map(\.description).joined(separator: ",") }
}

/// The recursive-descent parser of k8s.io/apimachinery/pkg/labels (Parser), over the lexer's tokens.
struct LabelSelectorParser {
    struct ParseError: Error { var message: String }
    typealias Token = LabelSelectorLexer.Token

    private var items: [LabelSelectorLexer.Item]
    private var position = 0

    init(_ text: String) {
        var lexer = LabelSelectorLexer(text)
        items = lexer.scanAll()
    }

    /// In value context the keywords `in`/`notin` are plain identifiers (`x in (in)`).
    private func lookahead(values: Bool = true) -> (Token, String) {
        var (token, literal) = (items[position].token, items[position].literal)
        if values, token == .in || token == .notIn { token = .identifier }
        return (token, literal)
    }

    private mutating func consume(values: Bool = true) -> (Token, String) {
        let result = lookahead(values: values)
        position += 1
        return result
    }

    mutating func parse() throws(ParseError) -> [LabelRequirement] {
        var requirements: [LabelRequirement] = []
        while true {
            let (token, literal) = lookahead()
            switch token {
            case .identifier, .doesNotExist:
                do {
                    requirements.append(try parseRequirement())
                } catch {
                    throw ParseError(message: "unable to parse requirement: " + error.message)
                }
                let (next, nextLiteral) = consume()
                switch next {
                case .endOfString:
                    return requirements
                case .comma:
                    let (after, afterLiteral) = lookahead()
                    if after != .identifier && after != .doesNotExist {
                        throw ParseError(message: "found '\(afterLiteral)', expected: identifier after ','")
                    }
                default:
                    throw ParseError(message: "found '\(nextLiteral)', expected: ',' or 'end of string'")
                }
            case .endOfString:
                return requirements
            default:
                throw ParseError(message: "found '\(literal)', expected: !, identifier, or 'end of string'")
            }
        }
    }

    private mutating func parseRequirement() throws(ParseError) -> LabelRequirement {
        var (token, literal) = consume()
        var inferred: LabelRequirement.Operator?
        if token == .doesNotExist {
            inferred = .doesNotExist
            (token, literal) = consume()
        }
        guard token == .identifier else { throw ParseError(message: "found '\(literal)', expected: identifier") }
        let key = literal
        let keyErrors = NameValidation.isQualifiedName(key)
        if !keyErrors.isEmpty {
            throw ParseError(message: FieldError.invalid("<nil>", key, keyErrors.joined(separator: "; ")).description)
        }
        let (next, _) = lookahead()
        if next == .endOfString || next == .comma {
            return try Self.requirement(key, inferred ?? .exists, [])
        }
        if inferred == .doesNotExist {
            return try Self.requirement(key, .doesNotExist, [])
        }
        let op = try parseOperator()
        let values: [String]
        switch op {
        case .in, .notIn: values = try parseValues()
        default: values = try parseExactValue()
        }
        return try Self.requirement(key, op, Array(Set(values)).sorted())
    }

    private mutating func parseOperator() throws(ParseError) -> LabelRequirement.Operator {
        let (token, literal) = consume(values: false)
        switch token {
        case .in: return .in
        case .equals: return .equals
        case .doubleEquals: return .doubleEquals
        case .greaterThan: return .greaterThan
        case .lessThan: return .lessThan
        case .notIn: return .notIn
        case .notEquals: return .notEquals
        default: throw ParseError(message: "found '\(literal)', expected: in, notin, =, ==, !=, gt, lt")
        }
    }

    private mutating func parseValues() throws(ParseError) -> [String] {
        let (token, literal) = consume()
        guard token == .openPar else { throw ParseError(message: "found '\(literal)' expected: '('") }
        let (next, nextLiteral) = lookahead()
        switch next {
        case .identifier, .comma:
            let values = try parseIdentifiersList()
            if consume().0 != .closedPar { throw ParseError(message: "found '\(nextLiteral)', expected: ')'") }
            return values
        case .closedPar:
            _ = consume()
            return [""]
        default:
            throw ParseError(message: "found '\(nextLiteral)', expected: ',', ')' or identifier")
        }
    }

    /// A comma-separated list in which empty entries stand for the empty value: `(,a)`, `(a,,b)`, `(a,)`.
    private mutating func parseIdentifiersList() throws(ParseError) -> [String] {
        var values: Set<String> = []
        while true {
            let (token, literal) = consume()
            switch token {
            case .identifier:
                values.insert(literal)
                let (next, nextLiteral) = lookahead()
                switch next {
                case .comma: continue
                case .closedPar: return Array(values)
                default: throw ParseError(message: "found '\(nextLiteral)', expected: ',' or ')'")
                }
            case .comma:
                if values.isEmpty { values.insert("") }
                let (next, _) = lookahead()
                if next == .closedPar { values.insert(""); return Array(values) }
                if next == .comma { values.insert("") }
            default:
                throw ParseError(message: "found '\(literal)', expected: ',', or identifier")
            }
        }
    }

    private mutating func parseExactValue() throws(ParseError) -> [String] {
        let (next, _) = lookahead()
        if next == .endOfString || next == .comma { return [""] }
        let (token, literal) = consume()
        guard token == .identifier else { throw ParseError(message: "found '\(literal)', expected: identifier") }
        return [literal]
    }

    /// Upstream NewRequirement's checks for what the grammar lets through: integer bounds for
    /// `gt`/`lt` and valid label values; several failures are reported as one aggregate.
    static func requirement(_ key: String, _ op: LabelRequirement.Operator, _ values: [String]) throws(ParseError) -> LabelRequirement {
        var errors: [String] = []
        if op == .greaterThan || op == .lessThan {
            for (i, value) in values.enumerated() where Int64(value) == nil {
                errors.append(FieldError.invalid(FieldPath("values").index(i), value, "for 'Gt', 'Lt' operators, the value must be an integer").description)
            }
        }
        for (i, value) in values.enumerated() {
            let messages = NameValidation.isValidLabelValue(value)
            if !messages.isEmpty {
                errors.append(FieldError.invalid(FieldPath("values").index(i).key(key), value, messages.joined(separator: "; ")).description)
            }
        }
        var unique: [String] = []
        for e in errors where !unique.contains(e) { unique.append(e) }
        switch unique.count {
        case 0: return LabelRequirement(key: key, op: op, values: values)
        case 1: throw ParseError(message: unique[0])
        default: throw ParseError(message: "[" + unique.joined(separator: ", ") + "]")
        }
    }
}
