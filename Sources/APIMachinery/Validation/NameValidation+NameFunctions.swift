/// A per-kind name check, upstream's ValidateNameFunc: `prefix` is true when the value is a
/// `generateName`, which gets random characters appended and so may end in `-`.
public typealias NameValidator = @Sendable (_ name: String, _ prefix: Bool) -> [String]

extension NameValidation {
    /// Most kinds (pods, configmaps, statefulsets, ...): a DNS-1123 subdomain.
    public static let nameIsDNSSubdomain: NameValidator = { name, prefix in
        isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name)
    }

    /// Namespaces and a few others: a DNS-1123 label.
    public static let nameIsDNSLabel: NameValidator = { name, prefix in
        isDNS1123Label(prefix ? maskTrailingDash(name) : name)
    }

    /// Services: a DNS-1035 label (must start with a letter).
    public static let nameIsDNS1035Label: NameValidator = { name, prefix in
        isDNS1035Label(prefix ? maskTrailingDash(name) : name)
    }

    /// Kinds whose names only have to be usable as one URL path segment (e.g. RBAC roles).
    public static let nameIsPathSegment: NameValidator = { name, prefix in
        validatePathSegmentName(name, prefix: prefix)
    }

    /// Upstream ValidateNamespaceName.
    public static let namespaceName: NameValidator = nameIsDNSLabel

    /// Upstream's maskTrailingDash, kept bug-for-bug: it replaces the last *two* characters of a
    /// prefix ending in `-` with `a`, so `ab-` is checked as `aa`.
    static func maskTrailingDash(_ name: String) -> String {
        guard name.hasSuffix("-") else { return name }
        let bytes = Array(name.utf8)
        guard bytes.count >= 2 else { return "a" }
        return String(decoding: bytes[..<(bytes.count - 2)], as: UTF8.self) + "a"
    }
}
