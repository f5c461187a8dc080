/// One step of a field path, as structured-merge-diff's `fieldpath.PathElement`: a struct or map
/// field, an associative list item by its keys, a set item by its value, or a list index.
///
/// Keys and values are held in their canonical `fieldsV1` JSON text (key fields sorted by name,
/// Go's encoding), so elements hash and compare equal exactly when upstream's do for what this
/// server writes; ordering (for serialisation) parses them back, as upstream orders by value.
public enum FieldPathElement: Hashable, Sendable {
    case field(String)
    /// `k:{"name":"nginx"}`: the JSON object of an associative list item's key fields.
    case key(String)
    /// `v:"value"`: a set item's JSON value.
    case value(String)
    /// `i:3`: an index into an atomic list (only ever met in managedFields written by others).
    case index(Int)

    /// The key of an associative list item from its key fields (sorted by name, as `KeyByFields`).
    public static func key(_ fields: [(String, JSON)]) -> FieldPathElement {
        var object = JSONObject()
        for (name, value) in fields.sorted(by: { $0.0 < $1.0 }) { object[name] = value }
        return .key(JSONWriter.encodeString(.object(object)))
    }

    public static func value(_ value: JSON) -> FieldPathElement { .value(JSONWriter.encodeString(value)) }

    /// The member name in `fieldsV1`.
    public var fieldsV1Key: String {
        switch self {
        case .field(let name): return "f:" + name
        case .key(let text): return "k:" + text
        case .value(let text): return "v:" + text
        case .index(let i): return "i:" + String(i)
        }
    }

    /// Parses a `fieldsV1` member name; nil when it is not one (upstream: "unexpected key prefix").
    public init?(fieldsV1Key key: String) {
        guard key.count >= 2, key.utf8.dropFirst().first == UInt8(ascii: ":") else { return nil }
        let body = String(key.dropFirst(2))
        switch key.utf8.first {
        case UInt8(ascii: "f"): self = .field(body)
        // Keys and values are kept as written (this server writes them canonically); only their
        // shape is checked here, so decoding a stored list parses no JSON twice.
        case UInt8(ascii: "k"):
            guard body.utf8.first == UInt8(ascii: "{"), body.utf8.last == UInt8(ascii: "}") else { return nil }
            self = .key(body)
        case UInt8(ascii: "v"):
            guard !body.isEmpty else { return nil }
            self = .value(body)
        case UInt8(ascii: "i"):
            guard let i = Int(body) else { return nil }
            self = .index(i)
        default: return nil
        }
    }

    /// `PathElement.String()`: `.spec`, `[name="nginx"]`, `[=value]`, `[3]`, as conflict messages print it.
    public var description: String {
        switch self {
        case .field(let name): return "." + name
        case .key(let text):
            let object = (try? JSONParser.parse(text).value.objectValue) ?? nil
            let parts = (object ?? [:]).map { "\($0.key)=\(Self.goString($0.value))" }
            return "[" + parts.joined(separator: ",") + "]"
        case .value(let text):
            let value = (try? JSONParser.parse(text).value) ?? .string(text)
            return "[=\(Self.goString(value))]"
        case .index(let i): return "[\(i)]"
        }
    }

    /// `value.ToString`: strings quoted as Go's %q, other values as JSON.
    static func goString(_ value: JSON) -> String {
        if case .string(let s) = value { return FieldError.quote(s) }
        return JSONWriter.encodeString(value)
    }

    /// `PathElement.Compare`: fields before keys before values before indexes; keys by field name
    /// then value, values by `value.Compare`.
    public static func ordered(_ lhs: FieldPathElement, _ rhs: FieldPathElement) -> Bool {
        switch (lhs, rhs) {
        case (.field(let a), .field(let b)): return a < b
        case (.index(let a), .index(let b)): return a < b
        case (.key(let a), .key(let b)):
            let l = (try? JSONParser.parse(a).value.objectValue) ?? nil
            let r = (try? JSONParser.parse(b).value.objectValue) ?? nil
            guard let l, let r else { return a < b }
            for (lf, rf) in zip(l, r) {
                if lf.key != rf.key { return lf.key < rf.key }
                let c = JSONOrder.compare(lf.value, rf.value)
                if c != 0 { return c < 0 }
            }
            return l.count < r.count
        case (.value(let a), .value(let b)):
            guard let l = try? JSONParser.parse(a).value, let r = try? JSONParser.parse(b).value else { return a < b }
            return JSONOrder.compare(l, r) < 0
        default: return lhs.rank < rhs.rank
        }
    }

    /// Elements in `ordered` order, each key or value parsed once rather than per comparison.
    public static func sorted(_ elements: some Sequence<FieldPathElement>) -> [FieldPathElement] {
        // Struct and map levels (most of them) hold field names only: plain string order.
        var names: [String] = []
        for element in elements {
            guard case .field(let name) = element else { names = []; break }
            names.append(name)
        }
        if !names.isEmpty { return names.sorted().map { .field($0) } }
        let decorated = elements.map { element -> (FieldPathElement, JSON?) in
            switch element {
            case .key(let text), .value(let text): return (element, try? JSONParser.parse(text).value)
            default: return (element, nil)
            }
        }
        return decorated.sorted { a, b in
            switch (a.0, b.0, a.1, b.1) {
            case (.key, .key, .object(let l)?, .object(let r)?):
                for (lf, rf) in zip(l, r) {
                    if lf.key != rf.key { return lf.key < rf.key }
                    let c = JSONOrder.compare(lf.value, rf.value)
                    if c != 0 { return c < 0 }
                }
                return l.count < r.count
            case (.value, .value, let l?, let r?):
                return JSONOrder.compare(l, r) < 0
            default:
                return ordered(a.0, b.0)
            }
        }.map(\.0)
    }

    private var rank: Int {
        switch self {
        case .field: return 0
        case .key: return 1
        case .value: return 2
        case .index: return 3
        }
    }
}

/// structured-merge-diff's `value.Compare`: a total order over JSON values (null, numbers, strings,
/// booleans, lists, maps), and `value.Equals`: numbers compare by value and maps ignore key order.
public enum JSONOrder {
    public static func compare(_ a: JSON, _ b: JSON) -> Int {
        let (ra, rb) = (rank(a), rank(b))
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.array(let x), .array(let y)):
            for (l, r) in zip(x, y) {
                let c = compare(l, r)
                if c != 0 { return c }
            }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        case (.object(let x), .object(let y)):
            let lk = x.keys.sorted(), rk = y.keys.sorted()
            for (l, r) in zip(lk, rk) {
                if l != r { return l < r ? -1 : 1 }
                let c = compare(x[l]!, y[r]!)
                if c != 0 { return c }
            }
            return lk.count == rk.count ? 0 : (lk.count < rk.count ? -1 : 1)
        default:
            guard let x = number(a), let y = number(b) else { return 0 }
            return x == y ? 0 : (x < y ? -1 : 1)
        }
    }

    /// `value.Equals`, without the ordering work: the common case on every write.
    public static func equal(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.string(let x), .string(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for i in x.indices where !equal(x[i], y[i]) { return false }
            return true
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let other = y[key], equal(value, other) else { return false }
            }
            return true
        case (.int, .double), (.double, .int), (.double, .double):
            return number(a) == number(b)
        default: return false
        }
    }

    private static func number(_ v: JSON) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    private static func rank(_ v: JSON) -> Int {
        switch v {
        case .null: return 0
        case .int, .double: return 1
        case .string: return 2
        case .bool: return 3
        case .array: return 4
        case .object: return 5
        }
    }
}
