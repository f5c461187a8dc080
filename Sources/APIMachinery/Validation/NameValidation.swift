/// The string-format checks of k8s.io/apimachinery/pkg/util/validation.
///
/// Each check returns upstream's explanation strings, `[]` when the value is valid; callers wrap
/// them in `FieldError.invalid` so API clients see exactly the texts a real API server sends.
/// Lengths are counted in UTF-8 bytes, as Go's `len` does.
public enum NameValidation {
    static let dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    static let dns1123LabelErrMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    static let dns1123SubdomainFmt = dns1123LabelFmt + "(\\." + dns1123LabelFmt + ")*"
    static let dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    static let dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?"
    static let dns1035LabelErrMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"
    static let qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let labelValueFmt = "(" + qualifiedNameFmt + ")?"
    static let labelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let cIdentifierFmt = "[A-Za-z_][A-Za-z0-9_]*"
    static let cIdentifierErrMsg = "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'"
    static let envVarNameFmt = "[-._a-zA-Z][-._a-zA-Z0-9]*"
    static let envVarNameErrMsg = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"
    static let configMapKeyFmt = "[-._a-zA-Z0-9]+"
    static let configMapKeyErrMsg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"

    public static let dns1123LabelMaxLength = 63
    public static let dns1123SubdomainMaxLength = 253
    public static let dns1035LabelMaxLength = 63
    public static let qualifiedNameMaxLength = 63
    public static let labelValueMaxLength = 63

    /// Upstream's MaxLenError.
    public static func maxLenError(_ length: Int) -> String { "must be no more than \(length) characters" }

    /// Upstream's EmptyError.
    public static func emptyError() -> String { "must be non-empty" }

    /// Upstream's InclusiveRangeError.
    public static func inclusiveRangeError(_ lo: Int64, _ hi: Int64) -> String { "must be between \(lo) and \(hi), inclusive" }

    /// Upstream's RegexError: the explanation, examples, then the regular expression used.
    public static func regexError(_ message: String, _ format: String, _ examples: String...) -> String {
        if examples.isEmpty { return message + " (regex used for validation is '" + format + "')" }
        // Upstream joins "'x', " items with " or ", hence the double space before "or".
        return message + " (e.g. " + examples.map { "'\($0)', " }.joined(separator: " or ") + "regex used for validation is '" + format + "')"
    }

    public static func isDNS1123Label(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > dns1123LabelMaxLength { errs.append(maxLenError(dns1123LabelMaxLength)) }
        if !CharacterRules.isDNS1123Label(s.utf8[...]) {
            if CharacterRules.isDNS1123Subdomain(s) {
                errs.append("must not contain dots")
            } else {
                errs.append(regexError(dns1123LabelErrMsg, dns1123LabelFmt, "my-name", "123-abc"))
            }
        }
        return errs
    }

    public static func isDNS1123Subdomain(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > dns1123SubdomainMaxLength { errs.append(maxLenError(dns1123SubdomainMaxLength)) }
        if !CharacterRules.isDNS1123Subdomain(s) {
            errs.append(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, "example.com"))
        }
        return errs
    }

    public static func isDNS1035Label(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > dns1035LabelMaxLength { errs.append(maxLenError(dns1035LabelMaxLength)) }
        if !CharacterRules.isDNS1035Label(s) {
            errs.append(regexError(dns1035LabelErrMsg, dns1035LabelFmt, "my-name", "abc-123"))
        }
        return errs
    }

    /// Label keys, annotation keys (checked lower-cased by the caller), finalizers and condition types:
    /// an optional DNS-1123 subdomain prefix and `/`, then a name of at most 63 characters.
    public static func isQualifiedName(_ s: String) -> [String] {
        var errs: [String] = []
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        let name: Substring
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                errs.append("prefix part " + emptyError())
            } else {
                errs += isDNS1123Subdomain(String(prefix)).map { "prefix part " + $0 }
            }
        default:
            return ["a qualified name " + regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            errs.append("name part " + emptyError())
        } else if name.utf8.count > qualifiedNameMaxLength {
            errs.append("name part " + maxLenError(qualifiedNameMaxLength))
        }
        if !CharacterRules.isQualifiedNamePart(name.utf8) {
            errs.append("name part " + regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc"))
        }
        return errs
    }

    public static func isValidLabelValue(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > labelValueMaxLength { errs.append(maxLenError(labelValueMaxLength)) }
        if !s.isEmpty && !CharacterRules.isQualifiedNamePart(s.utf8[...]) {
            errs.append(regexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"))
        }
        return errs
    }

    public static func isCIdentifier(_ s: String) -> [String] {
        CharacterRules.isCIdentifier(s) ? [] : [regexError(cIdentifierErrMsg, cIdentifierFmt, "my_name", "MY_NAME", "MyName")]
    }

    /// Container environment variable names (upstream IsEnvVarName, without the relaxed-validation gate).
    public static func isEnvVarName(_ s: String) -> [String] {
        var errs: [String] = []
        if !CharacterRules.isEnvVarName(s) {
            errs.append(regexError(envVarNameErrMsg, envVarNameFmt, "my.env-name", "MY_ENV.NAME", "MyEnvName1"))
        }
        return errs + chDirPrefixErrors(s)
    }

    /// Keys of ConfigMap and Secret data: also file names when mounted, hence the `.`/`..` rules.
    public static func isConfigMapKey(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > dns1123SubdomainMaxLength { errs.append(maxLenError(dns1123SubdomainMaxLength)) }
        if !CharacterRules.isConfigMapKey(s) {
            errs.append(regexError(configMapKeyErrMsg, configMapKeyFmt, "key.name", "KEY_NAME", "key-name"))
        }
        return errs + chDirPrefixErrors(s)
    }

    /// IANA service names as used for container and service port names (RFC 6335, lower case only).
    public static func isValidPortName(_ s: String) -> [String] {
        var errs: [String] = []
        let bytes = Array(s.utf8)
        if bytes.count > 15 { errs.append(maxLenError(15)) }
        if bytes.isEmpty || !bytes.allSatisfy({ CharacterRules.isLowerAlnum($0) || $0 == UInt8(ascii: "-") }) {
            errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if !bytes.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) {
            errs.append("must contain at least one letter (a-z)")
        }
        if s.contains("--") { errs.append("must not contain consecutive hyphens") }
        if let first = bytes.first, let last = bytes.last, first == UInt8(ascii: "-") || last == UInt8(ascii: "-") {
            errs.append("must not begin or end with a hyphen")
        }
        return errs
    }

    public static func isValidPortNum(_ p: Int64) -> [String] {
        (1...65535).contains(p) ? [] : [inclusiveRangeError(1, 65535)]
    }

    /// Upstream's IsInRange.
    public static func isInRange(_ value: Int64, _ min: Int64, _ max: Int64) -> [String] {
        (min...max).contains(value) ? [] : [inclusiveRangeError(min, max)]
    }

    /// Upstream path.ValidatePathSegmentName: the name becomes one segment of a URL path, so `.`, `..`,
    /// `/` and `%` are refused; with `prefix` (generateName) only the characters are checked.
    public static func validatePathSegmentName(_ s: String, prefix: Bool) -> [String] {
        if !prefix {
            for illegal in [".", ".."] where s == illegal { return ["may not be '\(illegal)'"] }
        }
        return ["/", "%"].filter { s.contains($0) }.map { "may not contain '\($0)'" }
    }

    static func chDirPrefixErrors(_ s: String) -> [String] {
        if s == "." { return ["must not be '.'"] }
        if s == ".." { return ["must not be '..'"] }
        if s.hasPrefix("..") { return ["must not start with '..'"] }
        return []
    }
}
