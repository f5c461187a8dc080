import OrderedCollections

/// A JSON object whose keys keep the order they were written in, so objects read back the way
/// clients sent them and the way upstream serializes them (apiVersion, kind, metadata, spec, status).
public typealias JSONObject = OrderedDictionary<String, JSON>

/// A JSON document as Kubernetes objects use it.
///
/// Integers are kept apart from floating-point numbers because the API's schemas distinguish
/// `integer` from `number`: `replicas: 1.5` must be rejected, not rounded.
public enum JSON: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

extension JSON {
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The integer value; a double with no fractional part also counts, as JSON has one number type.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return Int64(d)
        default: return nil
        }
    }

    /// The member `key` of an object, or nil for a missing member or a value that is not an object.
    public subscript(key: String) -> JSON? {
        get { objectValue?[key] }
        set {
            guard case .object(var o) = self else {
                if let newValue { self = .object([key: newValue]) }
                return
            }
            self = .null  // drop the reference first so `o` is uniquely referenced and mutates in place
            o[key] = newValue
            self = .object(o)
        }
    }

    /// The value at a path of object keys, e.g. `obj[path: "metadata", "name"]`.
    public subscript(path keys: String...) -> JSON? {
        get {
            var current: JSON? = self
            for k in keys { current = current?[k] }
            return current
        }
        set { setValue(newValue, at: keys[...]) }
    }

    /// Sets (or with nil removes) the value at a path, creating intermediate objects as needed.
    public mutating func setValue(_ value: JSON?, at keys: ArraySlice<String>) {
        guard let first = keys.first else { if let value { self = value }; return }
        if keys.count == 1 { self[first] = value; return }
        var child = self[first] ?? .object([:])
        if child.objectValue == nil { child = .object([:]) }
        child.setValue(value, at: keys.dropFirst())
        self[first] = child
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(JSONObject(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSON {
    /// The JSON type name as Go's decoder words it in errors ("string", "number", "object", ...).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
