/// One validation failure at a field path, mirroring k8s.io/apimachinery/pkg/util/validation/field.
/// The rendered text matches upstream's so clients and people see the same messages.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case notFound = "FieldValueNotFound"
        case required = "FieldValueRequired"
        case duplicate = "FieldValueDuplicate"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case internalError = "InternalError"
        case typeInvalid = "FieldValueTypeInvalid"

        /// Upstream's ErrorType.String().
        public var phrase: String {
            switch self {
            case .notFound: return "Not found"
            case .required: return "Required value"
            case .duplicate: return "Duplicate value"
            case .invalid: return "Invalid value"
            case .notSupported: return "Unsupported value"
            case .forbidden: return "Forbidden"
            case .tooLong: return "Too long"
            case .tooMany: return "Too many"
            case .internalError: return "Internal error"
            case .typeInvalid: return "Invalid value"
            }
        }
    }

    public var kind: Kind
    public var field: String
    /// The offending value, already rendered as Go's %v/%q would (strings quoted); nil when upstream omits it.
    public var badValue: String?
    public var detail: String
    /// Upstream's field.OmitValueType: the message names no bad value.
    public var omitsValue = false

    public init(_ kind: Kind, _ field: FieldPath, value: String? = nil, _ detail: String = "") {
        self.kind = kind
        self.field = field.description
        self.badValue = value
        self.detail = detail
    }

    /// Upstream's ErrorBody(): the message without the field path.
    public var body: String {
        var s: String
        switch kind {
        case .required, .forbidden, .internalError, .tooLong, .tooMany:
            s = kind.phrase
            if kind == .tooMany || kind == .tooLong, let badValue { s = "\(kind.phrase): \(badValue)" }
        default:
            s = omitsValue ? kind.phrase : "\(kind.phrase): \(badValue ?? "null")"
        }
        if !detail.isEmpty { s += ": \(detail)" }
        return s
    }

    public var description: String { "\(field): \(body)" }

    // Constructors named as in k8s.io/apimachinery/pkg/util/validation/field.
    public static func required(_ path: FieldPath, _ detail: String = "") -> FieldError { .init(.required, path, detail) }
    public static func forbidden(_ path: FieldPath, _ detail: String) -> FieldError { .init(.forbidden, path, detail) }
    public static func invalid(_ path: FieldPath, _ value: JSON?, _ detail: String) -> FieldError {
        .init(.invalid, path, value: FieldError.render(value), detail)
    }
    public static func invalid(_ path: FieldPath, _ value: String, _ detail: String) -> FieldError {
        .init(.invalid, path, value: FieldError.quote(value), detail)
    }
    /// field.Invalid(path, field.OmitValueType{}, detail).
    public static func invalidOmittingValue(_ path: FieldPath, _ detail: String) -> FieldError {
        var error = FieldError(.invalid, path, detail)
        error.omitsValue = true
        return error
    }
    public static func duplicate(_ path: FieldPath, _ value: JSON?) -> FieldError {
        .init(.duplicate, path, value: FieldError.render(value))
    }
    public static func notFound(_ path: FieldPath, _ value: JSON?) -> FieldError {
        .init(.notFound, path, value: FieldError.render(value))
    }
    public static func notSupported(_ path: FieldPath, _ value: JSON?, _ supported: [String]) -> FieldError {
        let list = supported.map { FieldError.quote($0) }.joined(separator: ", ")
        return .init(.notSupported, path, value: FieldError.render(value), supported.isEmpty ? "" : "supported values: \(list)")
    }
    public static func tooLong(_ path: FieldPath, _ maxLength: Int) -> FieldError {
        .init(.tooLong, path, "may not be more than \(maxLength) bytes")
    }
    public static func tooMany(_ path: FieldPath, actual: Int, max: Int) -> FieldError {
        .init(.tooMany, path, value: String(actual), "must have at most \(max) items")
    }
    public static func internalError(_ path: FieldPath, _ detail: String) -> FieldError { .init(.internalError, path, detail) }

    /// Renders a value the way upstream's %#v-ish formatting shows it in messages.
    public static func render(_ value: JSON?) -> String {
        guard let value else { return "null" }
        switch value {
        case .string(let s): return quote(s)
        case .int(let i): return String(i)
        case .double(let d): return JSONWriter.formatDouble(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array, .object: return JSONWriter.encodeString(value)
        }
    }

    /// Go's %q for strings.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// A path to a field, rendered as upstream renders field.Path: `spec.template.spec.containers[0].ports[1]`,
/// map keys in brackets (`metadata.labels[app]`).
public struct FieldPath: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringLiteral {
    private var text: String

    public init(_ root: String) { text = root }
    public init(stringLiteral value: String) { text = value }

    public func child(_ name: String) -> FieldPath { FieldPath(text.isEmpty ? name : "\(text).\(name)") }
    public func index(_ i: Int) -> FieldPath { FieldPath("\(text)[\(i)]") }
    public func key(_ k: String) -> FieldPath { FieldPath("\(text)[\(k)]") }
    public var description: String { text }
}
