/// A field selector in the syntax of `?fieldSelector=` (k8s.io/apimachinery/pkg/fields.ParseSelector):
/// comma-separated `field=value`, `field==value` or `field!=value` terms, all of which must hold.
///
/// In values, `\,`, `\=` and `\\` stand for `,`, `=` and `\`; an unescaped `,` or `=` or any other
/// escape is an error. Fields are not escaped: the first operator splits the term. A field missing
/// from the object's field set reads as `""`, as upstream's fields.Set.Get does.
public struct FieldSelectorQuery: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Sendable {
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
    }

    public struct Requirement: Sendable, Equatable {
        public var field: String
        public var op: Operator
        public var value: String
        public init(field: String, op: Operator, value: String) { self.field = field; self.op = op; self.value = value }
    }

    /// The terms in upstream's order (sorted by their text).
    public var requirements: [Requirement]

    public init(requirements: [Requirement]) { self.requirements = requirements }

    /// Parses like upstream; failures become 400 BadRequest with upstream's message.
    public init(parsing text: String) throws(APIError) {
        var requirements: [Requirement] = []
        for term in Self.splitTerms(text).sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) where !term.isEmpty {
            guard let (field, op, rawValue) = Self.splitTerm(term) else {
                throw APIError.badRequest("invalid selector: '\(text)'; can't understand '\(term)'")
            }
            requirements.append(Requirement(field: field, op: op, value: try Self.unescape(rawValue)))
        }
        self.requirements = requirements
    }

    public var isEmpty: Bool { requirements.isEmpty }

    public func matches(_ fields: [String: String]) -> Bool {
        requirements.allSatisfy { r in
            let have = fields[r.field] ?? ""
            return r.op == .notEquals ? have != r.value : have == r.value
        }
    }

    /// The exact value a selector demands for `field` (`metadata.name=x`), letting a list use a key lookup.
    public func requiredValue(for field: String) -> String? {
        requirements.first { $0.field == field && $0.op != .notEquals }?.value
    }

    /// Upstream's check of fields against what a kind supports (ConvertFieldLabel), as the list
    /// handler reports it: `field label not supported: spec.foo`.
    public func checkSupported(_ supported: Set<String>) throws(APIError) {
        if let bad = requirements.first(where: { !supported.contains($0.field) }) {
            throw APIError.badRequest("field label not supported: \(bad.field)")
        }
    }

    /// Upstream Selector.String(), values escaped again.
    public var description: String {
        requirements.map { "\($0.field)\($0.op == .notEquals ? "!=" : "=")\(Self.escape($0.value))" }.joined(separator: ",")
    }

    /// Upstream EscapeValue.
    public static func escape(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            if c == "\\" || c == "," || c == "=" { out.append("\\") }
            out.unicodeScalars.append(c)
        }
        return out
    }

    /// Splits on commas not preceded by a backslash; escapes stay in the terms.
    static func splitTerms(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var terms: [String] = []
        var current = ""
        var inSlash = false
        for c in text.unicodeScalars {
            if inSlash {
                inSlash = false
            } else if c == "\\" {
                inSlash = true
            } else if c == "," {
                terms.append(current)
                current = ""
                continue
            }
            current.unicodeScalars.append(c)
        }
        terms.append(current)
        return terms
    }

    /// The first position where `!=`, `==` or `=` starts splits the term.
    static func splitTerm(_ term: String) -> (String, Operator, String)? {
        let scalars = Array(term.unicodeScalars)
        for i in scalars.indices {
            for op in [Operator.notEquals, .doubleEquals, .equals] {
                let opScalars = Array(op.rawValue.unicodeScalars)
                if scalars[i...].starts(with: opScalars) {
                    var lhs = "", rhs = ""
                    lhs.unicodeScalars.append(contentsOf: scalars[..<i])
                    rhs.unicodeScalars.append(contentsOf: scalars[(i + opScalars.count)...])
                    return (lhs, op, rhs)
                }
            }
        }
        return nil
    }

    /// Upstream UnescapeValue, with its error texts (the unescaped character is printed as its code
    /// point, as Go's %v prints a rune).
    static func unescape(_ value: String) throws(APIError) -> String {
        var out = ""
        var inSlash = false
        for c in value.unicodeScalars {
            if inSlash {
                guard c == "\\" || c == "," || c == "=" else {
                    throw APIError.badRequest("invalid field selector: invalid escape sequence: \\\(c)")
                }
                out.unicodeScalars.append(c)
                inSlash = false
            } else if c == "\\" {
                inSlash = true
            } else if c == "," || c == "=" {
                throw APIError.badRequest("invalid field selector: unescaped character in value: \(c.value)")
            } else {
                out.unicodeScalars.append(c)
            }
        }
        if inSlash { throw APIError.badRequest("invalid field selector: invalid escape sequence: \\") }
        return out
    }
}
