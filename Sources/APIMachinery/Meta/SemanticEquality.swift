/// Equality of two decoded API values as upstream's `apiequality.Semantic.DeepEqual` sees them:
/// upstream decodes both objects into Go structs first, so differences that decoding erases are not
/// differences. The generic store uses it to decide whether an update changed the spec (and so
/// moves `metadata.generation`); a client that drops `creationTimestamp: null` or sends keys in
/// another order has not changed anything.
///
/// What counts as equal, and why:
/// - an absent member and a `null` one: both decode to the Go zero value;
/// - an empty list or map and an absent or `null` one: Semantic.DeepEqual treats empty and nil
///   slices and maps as equal (k8s.io/apimachinery third_party/forked/golang/reflect);
/// - an empty object and an absent one: a struct field decodes `{}` and absence alike. Upstream
///   tells a nil pointer-to-struct from `&T{}`; without the Go types we cannot, and such fields
///   (securityContext, for instance) are set by defaulting before this comparison anyway;
/// - object members in any order (Go structs and maps have none);
/// - `1` and `1.0`: both decode to the same integer field.
///
/// A zero scalar (`""`, `0`, `false`) is not equal to an absent member: many optional scalars
/// are pointers upstream, where the two differ. Calling those different only costs an extra
/// generation, never a missed one.
public enum SemanticEquality {
    public static func equal(_ a: JSON?, _ b: JSON?) -> Bool {
        let aEmpty = isEmpty(a), bEmpty = isEmpty(b)
        if aEmpty || bEmpty { return aEmpty && bEmpty }
        guard let a, let b else { return false }
        switch (a, b) {
        case (.object(let x), .object(let y)):
            for (key, value) in x where !equal(value, y[key]) { return false }
            // Members only `y` has must be empty to be equal (those both have were compared above).
            for (key, value) in y where x[key] == nil && !isEmpty(value) { return false }
            return true
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            return zip(x, y).allSatisfy { equal($0, $1) }
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)):
            return Double(x) == y
        default:
            return a == b
        }
    }

    /// What decodes to a Go zero value or an empty slice or map.
    private static func isEmpty(_ value: JSON?) -> Bool {
        switch value {
        case nil, .null?: return true
        case .array(let items)?: return items.isEmpty
        case .object(let members)?: return members.values.allSatisfy { isEmpty($0) }
        default: return false
        }
    }
}
