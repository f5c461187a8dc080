import Foundation

/// The functions of CEL's standard library and Kubernetes' strings and lists libraries that Kubelite
/// implements (the names in CELFunctionTable; the parser refuses all others).
enum CELFunctions {
    static func call(_ name: String, receiver: JSON?, _ args: [JSON]) throws(CELEvaluationError) -> JSON {
        if let receiver { return try member(name, receiver, args) }
        guard args.count == 1 else { throw CELEvaluationError("found no matching overload for '\(name)' applied to \(args.count) arguments") }
        let v = args[0]
        switch (name, v) {
        case ("size", _): return try member("size", v, [])
        case ("dyn", _): return v
        case ("int", .int): return v
        case ("int", .double(let d)):
            guard d.isFinite, d > -9.2233720368547758e18, d < 9.2233720368547758e18 else { throw CELEvaluationError("double is out of range for int") }
            return .int(Int64(d))
        case ("int", .string(let s)):
            guard let i = Int64(s) else { throw CELEvaluationError("strconv.ParseInt: parsing \(FieldError.quote(s)): invalid syntax") }
            return .int(i)
        case ("double", .double): return v
        case ("double", .int(let i)): return .double(Double(i))
        case ("double", .string(let s)):
            guard let d = Double(s) else { throw CELEvaluationError("strconv.ParseFloat: parsing \(FieldError.quote(s)): invalid syntax") }
            return .double(d)
        case ("string", .string): return v
        case ("string", .int(let i)): return .string(String(i))
        case ("string", .double(let d)): return .string(JSONWriter.formatDouble(d))
        case ("string", .bool(let b)): return .string(b ? "true" : "false")
        default: throw noOverload(name, v)
        }
    }

    private static func member(_ name: String, _ target: JSON, _ args: [JSON]) throws(CELEvaluationError) -> JSON {
        // Arguments by position, for matching overloads below: a missing one reads as a non-string.
        let arg0 = args.count > 0 ? args[0] : JSON.null, arg1 = args.count > 1 ? args[1] : JSON.null
        switch (name, target, args.count, arg0, arg1) {
        case ("size", .string(let s), 0, _, _): return .int(Int64(s.unicodeScalars.count))
        case ("size", .array(let a), 0, _, _): return .int(Int64(a.count))
        case ("size", .object(let o), 0, _, _): return .int(Int64(o.count))
        case ("startsWith", .string(let s), 1, .string(let p), _): return .bool(s.unicodeScalars.starts(with: p.unicodeScalars))
        case ("endsWith", .string(let s), 1, .string(let p), _): return .bool(s.unicodeScalars.reversed().starts(with: p.unicodeScalars.reversed()))
        case ("contains", .string(let s), 1, .string(let p), _): return .bool(p.isEmpty || s.contains(p))
        case ("matches", .string(let s), 1, .string(let p), _):
            guard let regex = try? NSRegularExpression(pattern: p) else {
                throw CELEvaluationError("error parsing regexp: invalid pattern: `\(p)`")
            }
            return .bool(SchemaValueValidator.matches(regex, s))
        case ("lowerAscii", .string(let s), 0, _, _): return .string(String(s.unicodeScalars.map { ("A"..."Z").contains($0) ? Character(Unicode.Scalar($0.value + 32)!) : Character($0) }))
        case ("upperAscii", .string(let s), 0, _, _): return .string(String(s.unicodeScalars.map { ("a"..."z").contains($0) ? Character(Unicode.Scalar($0.value - 32)!) : Character($0) }))
        case ("trim", .string(let s), 0, _, _): return .string(s.trimmingCharacters(in: .whitespacesAndNewlines))
        case ("indexOf", .string(let s), 1, .string(let p), _): return .int(index(of: p, in: s, last: false))
        case ("lastIndexOf", .string(let s), 1, .string(let p), _): return .int(index(of: p, in: s, last: true))
        case ("substring", .string(let s), _, _, _): return try substring(s, args)
        case ("replace", .string(let s), 2, .string(let a), .string(let b)): return .string(s.replacingOccurrences(of: a, with: b))
        case ("split", .string(let s), 1, .string(let sep), _):
            return .array(s.components(separatedBy: sep).map(JSON.string))
        case ("join", .array(let items), _, _, _):
            let separator = args.first?.stringValue ?? ""
            var parts: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw noOverload("join", target) }
                parts.append(s)
            }
            return .string(parts.joined(separator: separator))
        case ("isSorted", .array(let items), 0, _, _):
            for (a, b) in zip(items, items.dropFirst()) {
                if case .bool(true) = try CELOperators.apply(">", a, b) { return false }
            }
            return true
        case ("sum", .array(let items), 0, _, _):
            var total: JSON = items.first.map { if case .double = $0 { return .double(0) } else { return .int(0) } } ?? .int(0)
            for item in items { total = try CELOperators.apply("+", total, item) }
            return total
        case ("min", .array(let items), 0, _, _), ("max", .array(let items), 0, _, _):
            guard var best = items.first else { throw CELEvaluationError("\(name) called on empty list") }
            for item in items.dropFirst() {
                if case .bool(true) = try CELOperators.apply(name == "min" ? "<" : ">", item, best) { best = item }
            }
            return best
        default:
            throw noOverload(name, target)
        }
    }

    /// Code-point offsets, as Kubernetes' strings library counts.
    private static func index(of p: String, in s: String, last: Bool) -> Int64 {
        let hay = Array(s.unicodeScalars), needle = Array(p.unicodeScalars)
        if needle.isEmpty { return last ? Int64(hay.count) : 0 }
        guard hay.count >= needle.count else { return -1 }
        let starts = Array(0...(hay.count - needle.count))
        for i in (last ? starts.reversed() : starts) where Array(hay[i..<i + needle.count]) == needle { return Int64(i) }
        return -1
    }

    private static func substring(_ s: String, _ args: [JSON]) throws(CELEvaluationError) -> JSON {
        let scalars = Array(s.unicodeScalars)
        guard let start = args.first?.intValue else { throw noOverload("substring", .string(s)) }
        let end = args.count > 1 ? (args[1].intValue ?? -1) : Int64(scalars.count)
        guard start >= 0, start <= end, end <= scalars.count else {
            throw CELEvaluationError("index out of range: \(start > scalars.count || start < 0 ? start : end)")
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars[Int(start)..<Int(end)])
        return .string(out)
    }
}
