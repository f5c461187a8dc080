/// Hand-written matchers for the regular expressions of k8s.io/apimachinery/pkg/util/validation.
/// They accept exactly the strings upstream's anchored regexes accept; written out because these
/// checks run on every object written and Swift `Regex` is slow on Linux.
enum CharacterRules {
    static func isLowerAlnum(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || isDigit(b)
    }
    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    static func isAlpha(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    }
    static func isAlnum(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
    static func isDNS1123Label<C: Collection>(_ s: C) -> Bool where C.Element == UInt8 {
        guard let first = s.first, isLowerAlnum(first), let last = s.reversed().first, isLowerAlnum(last) else { return false }
        return s.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// `label(\.label)*`
    static func isDNS1123Subdomain(_ s: String) -> Bool {
        s.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { isDNS1123Label($0) }
    }

    /// `[a-z]([-a-z0-9]*[a-z0-9])?`
    static func isDNS1035Label(_ s: String) -> Bool {
        guard let first = s.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
        return isDNS1123Label(s.utf8)
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
    static func isQualifiedNamePart<C: Collection>(_ s: C) -> Bool where C.Element == UInt8 {
        guard let first = s.first, isAlnum(first), let last = s.reversed().first, isAlnum(last) else { return false }
        return s.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`
    static func isCIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, isAlpha(first) || first == UInt8(ascii: "_") else { return false }
        return s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") }
    }

    /// `[-._a-zA-Z][-._a-zA-Z0-9]*`
    static func isEnvVarName(_ s: String) -> Bool {
        guard let first = s.utf8.first, !isDigit(first) else { return false }
        return isConfigMapKey(s)
    }

    /// `[-._a-zA-Z0-9]+`
    static func isConfigMapKey(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }
}
