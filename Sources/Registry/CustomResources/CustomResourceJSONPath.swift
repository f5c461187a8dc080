import APIMachinery
import Foundation

/// The subset of k8s.io/client-go/util/jsonpath that CRDs' `additionalPrinterColumns`,
/// `selectableFields` and scale paths use: `.a.b`, `['a.b']`, `[0]`, `[*]` and
/// `[?(@.type=="Ready")]` filters. Evaluation answers every match, in document order.
struct CustomResourceJSONPath: Sendable {
    enum Step: Sendable, Equatable {
        case field(String)
        case index(Int)
        case all
        case filter(path: [String], value: String)
    }

    let steps: [Step]

    /// Nil when the path is outside the subset (its cells then print as nothing).
    init?(_ text: String) {
        var steps: [Step] = []
        var rest = Substring(text.hasPrefix("{") && text.hasSuffix("}") ? String(text.dropFirst().dropLast()) : text)
        while !rest.isEmpty {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { return nil }
                steps.append(.field(String(name)))
                rest = rest.dropFirst(name.count)
            } else if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                var inner = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                if inner == "*" {
                    steps.append(.all)
                } else if let i = Int(inner) {
                    steps.append(.index(i))
                } else if inner.hasPrefix("'") && inner.hasSuffix("'") && inner.count >= 2 {
                    steps.append(.field(String(inner.dropFirst().dropLast())))
                } else if inner.hasPrefix("?(@.") && inner.hasSuffix(")") {
                    inner = inner.dropFirst(4).dropLast()
                    let parts = inner.split(separator: "==", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2 else { return nil }
                    let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                    steps.append(.filter(path: parts[0].split(separator: ".").map(String.init), value: value))
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
        self.steps = steps
    }

    func evaluate(_ object: JSON) -> [JSON] {
        var current: [JSON] = [object]
        for step in steps {
            var next: [JSON] = []
            for value in current {
                switch step {
                case .field(let name):
                    if let member = value[name] { next.append(member) }
                case .index(let i):
                    if let items = value.arrayValue {
                        let at = i < 0 ? items.count + i : i
                        if at >= 0, at < items.count { next.append(items[at]) }
                    }
                case .all:
                    if let items = value.arrayValue { next += items } else if let members = value.objectValue { next += members.values }
                case .filter(let path, let expected):
                    for item in value.arrayValue ?? [] {
                        var field: JSON? = item
                        for key in path { field = field?[key] }
                        if let field, Self.text(field) == expected { next.append(item) }
                    }
                }
            }
            current = next
        }
        return current
    }

    /// A value as jsonpath prints it: strings bare, other scalars as JSON, objects and lists as JSON.
    static func text(_ value: JSON) -> String {
        if case .string(let s) = value { return s }
        return JSONWriter.encodeString(value)
    }

    /// The path as a field label (`.spec.color` → `spec.color`), for `selectableFields`.
    static func fieldLabel(_ jsonPath: String) -> String {
        jsonPath.hasPrefix(".") ? String(jsonPath.dropFirst()) : jsonPath
    }
}
