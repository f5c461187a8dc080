import APIMachinery

/// Mutation helpers for defaulting decoded objects the way Go's SetDefaults_* functions do.
///
/// Go decodes into typed structs, so "unset" means the zero value: a missing or null member, an
/// empty string for a string field, 0 for a non-pointer integer. These helpers mirror that, so a
/// default fires exactly when upstream's would.
extension JSON {
    /// True for a member Go would decode as its zero value (absent, null, "", 0, false, [] or {}).
    var isGoZero: Bool {
        switch self {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .int(let i): return i == 0
        case .double(let d): return d == 0
        case .bool(let b): return !b
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        }
    }

    /// Sets `key` when it is absent or null: a defaulted pointer or struct field.
    mutating func setDefault(_ key: String, _ value: JSON) {
        if self[key] == nil || self[key] == .null { self[key] = value }
    }

    /// Sets `key` when absent, null or "": a defaulted string field.
    mutating func setDefaultString(_ key: String, _ value: String) {
        switch self[key] {
        case nil, .null?: self[key] = .string(value)
        case .string(let s)? where s.isEmpty: self[key] = .string(value)
        default: break
        }
    }

    /// Sets `key` when absent, null or 0: a defaulted non-pointer integer field.
    mutating func setDefaultInt(_ key: String, _ value: Int64) {
        switch self[key] {
        case nil, .null?: self[key] = .int(value)
        case let v? where v.intValue == 0: self[key] = .int(value)
        default: break
        }
    }

    /// Runs `body` on the member `key` when it is an object; absent members are left absent.
    mutating func modifyObject(_ key: String, _ body: (inout JSON) -> Void) {
        guard var child = self[key], child.objectValue != nil else { return }
        self[key] = .null  // drop our reference so `child` mutates without a copy
        body(&child)
        self[key] = child
    }

    /// Runs `body` on every element of the array member `key`.
    mutating func modifyEach(_ key: String, _ body: (inout JSON) -> Void) {
        guard case .array(var items)? = self[key] else { return }
        self[key] = .null
        for i in items.indices { body(&items[i]) }
        self[key] = .array(items)
    }

    /// Runs `body` on the value at `keys`, creating intermediate objects as Go's non-pointer structs exist.
    mutating func modifyPath(_ keys: String..., body: (inout JSON) -> Void) {
        var value = self[path: keys[...]] ?? .object([:])
        if value == .null { value = .object([:]) }
        body(&value)
        setValue(value, at: keys[...])
    }

    subscript(path keys: ArraySlice<String>) -> JSON? {
        var current: JSON? = self
        for k in keys { current = current?[k] }
        return current
    }

    /// The string at `key`, or "" when absent or not a string (Go's zero value).
    func string(_ key: String) -> String { self[key]?.stringValue ?? "" }

    /// The members of the object at `key` whose values are strings (labels, selectors, data).
    func stringMap(_ key: String) -> [(String, String)] {
        guard let o = self[key]?.objectValue else { return [] }
        return o.compactMap { k, v in v.stringValue.map { (k, $0) } }
    }

    /// The elements of the array at `key`, or none.
    func array(_ key: String) -> [JSON] { self[key]?.arrayValue ?? [] }
}
