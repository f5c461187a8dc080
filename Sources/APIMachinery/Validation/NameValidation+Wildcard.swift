extension NameValidation {
    static let wildcardDNS1123SubdomainFmt = "\\*\\." + dns1123SubdomainFmt
    static let wildcardDNS1123SubdomainErrMsg = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character"

    /// IsWildcardDNS1123Subdomain: `*.` followed by a DNS-1123 subdomain (Ingress hosts and TLS hosts).
    public static func isWildcardDNS1123Subdomain(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > dns1123SubdomainMaxLength { errs.append(maxLenError(dns1123SubdomainMaxLength)) }
        if !s.hasPrefix("*.") || !CharacterRules.isDNS1123Subdomain(String(s.dropFirst(2))) {
            errs.append(regexError(wildcardDNS1123SubdomainErrMsg, wildcardDNS1123SubdomainFmt, "*.example.com"))
        }
        return errs
    }
}
