import APIMachinery

/// pkg/apis/networking/validation's Ingress checks (ValidateIngressSpec and what it calls), with
/// upstream's field paths and messages.
enum IngressValidation {
    static let supportedPathTypes = ["Exact", "ImplementationSpecific", "Prefix"]
    static let invalidPathSequences = ["//", "/./", "/../", "%2f", "%2F"]
    static let invalidPathSuffixes = ["/..", "/."]

    static func validateSpec(_ spec: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        let rules = present(spec["rules"])?.arrayValue ?? []
        let defaultBackend = present(spec["defaultBackend"])
        if rules.isEmpty && defaultBackend == nil {
            // Upstream passes the nil rules slice as the value, which Go prints as its type.
            errs.append(FieldError(.invalid, path, value: "[]networking.IngressRule(nil)",
                                   "either `defaultBackend` or `rules` must be specified"))
        }
        if let defaultBackend { errs += validateBackend(defaultBackend, path.child("defaultBackend")) }
        for (i, rule) in rules.enumerated() { errs += validateRule(rule, path.child("rules").index(i)) }
        for (i, tls) in (present(spec["tls"])?.arrayValue ?? []).enumerated() { errs += validateTLS(tls, path.child("tls").index(i)) }
        if let className = spec["ingressClassName"]?.stringValue, !className.isEmpty {
            for msg in NameValidation.isDNS1123Subdomain(className) {
                errs.append(.invalid(path.child("ingressClassName"), className, msg))
            }
        }
        return errs
    }

    static func present(_ value: JSON?) -> JSON? {
        guard let value, value != .null else { return nil }
        return value
    }

    /// A rule's host is a DNS name (wildcards allowed), never an IP; its http paths are checked.
    static func validateRule(_ rule: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        let host = rule["host"]?.stringValue ?? ""
        if !host.isEmpty {
            if NameValidation.isValidIP(host).isEmpty {
                errs.append(.invalid(path.child("host"), host, "must be a DNS name, not an IP address"))
            }
            let messages = host.contains("*") ? NameValidation.isWildcardDNS1123Subdomain(host) : NameValidation.isDNS1123Subdomain(host)
            for msg in messages { errs.append(.invalid(path.child("host"), host, msg)) }
        }
        guard let http = present(rule["http"]) else { return errs }
        let paths = present(http["paths"])?.arrayValue ?? []
        if paths.isEmpty { errs.append(.required(path.child("http").child("paths"))) }
        for (i, p) in paths.enumerated() { errs += validatePath(p, path.child("http").child("paths").index(i)) }
        return errs
    }

    /// validateHTTPIngressPath: pathType required; Exact and Prefix paths absolute and clean.
    static func validatePath(_ entry: JSON, _ path: FieldPath) -> [FieldError] {
        guard let pathType = present(entry["pathType"])?.stringValue else {
            return [.required(path.child("pathType"), "pathType must be specified")]
        }
        var errs: [FieldError] = []
        let value = entry["path"]?.stringValue ?? ""
        switch pathType {
        case "Exact", "Prefix":
            if !value.hasPrefix("/") { errs.append(.invalid(path.child("path"), value, "must be an absolute path")) }
            if !value.isEmpty {
                for seq in invalidPathSequences where value.contains(seq) {
                    errs.append(.invalid(path.child("path"), value, "must not contain '\(seq)'"))
                }
                for suffix in invalidPathSuffixes where value.hasSuffix(suffix) {
                    errs.append(.invalid(path.child("path"), value, "cannot end with '\(suffix)'"))
                }
            }
        case "ImplementationSpecific":
            if !value.isEmpty && !value.hasPrefix("/") { errs.append(.invalid(path.child("path"), value, "must be an absolute path")) }
        default:
            errs.append(.notSupported(path.child("pathType"), .string(pathType), supportedPathTypes))
        }
        return errs + validateBackend(entry["backend"] ?? [:], path.child("backend"))
    }

    /// validateIngressBackend: exactly one of service (name and one of port name or number) or resource.
    static func validateBackend(_ backend: JSON, _ path: FieldPath) -> [FieldError] {
        let resource = present(backend["resource"])
        let service = present(backend["service"])
        switch (resource, service) {
        case (.some, .some):
            return [.invalid(path, "", "cannot set both resource and service backends")]
        case (.some(let resource), nil):
            return validateTypedLocalObjectReference(resource, path.child("resource"))
        case (nil, .some(let service)):
            return validateServiceBackend(service, backendPath: path)
        case (nil, nil):
            return [.invalid(path, "", "resource or service backend is required")]
        }
    }

    static func validateServiceBackend(_ service: JSON, backendPath path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        let namePath = path.child("service").child("name")
        let name = service["name"]?.stringValue ?? ""
        if name.isEmpty {
            errs.append(.required(namePath))
        } else {
            for msg in NameValidation.isDNS1035Label(name) { errs.append(.invalid(namePath, name, msg)) }
        }
        let portName = service[path: "port", "name"]?.stringValue ?? ""
        let portNumber = service[path: "port", "number"]?.intValue ?? 0
        let portPath = path.child("service").child("port")
        if !portName.isEmpty && portNumber != 0 {
            errs.append(.invalid(path, "", "cannot set both port name & port number"))
        } else if !portName.isEmpty {
            for msg in NameValidation.isValidPortName(portName) { errs.append(.invalid(portPath.child("name"), portName, msg)) }
        } else if portNumber != 0 {
            for msg in NameValidation.isValidPortNum(portNumber) { errs.append(.invalid(portPath.child("number"), .int(portNumber), msg)) }
        } else {
            errs.append(.required(path, "port name or number is required"))
        }
        return errs
    }

    /// validateTypedLocalObjectReference: kind and name required, apiGroup (if set) a DNS subdomain.
    static func validateTypedLocalObjectReference(_ ref: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        if let group = ref["apiGroup"]?.stringValue, !group.isEmpty {
            for msg in NameValidation.isDNS1123Subdomain(group) { errs.append(.invalid(path.child("apiGroup"), group, msg)) }
        }
        let kind = ref["kind"]?.stringValue ?? ""
        if kind.isEmpty {
            errs.append(.required(path.child("kind")))
        } else {
            for msg in NameValidation.validatePathSegmentName(kind, prefix: false) { errs.append(.invalid(path.child("kind"), kind, msg)) }
        }
        let name = ref["name"]?.stringValue ?? ""
        if name.isEmpty {
            errs.append(.required(path.child("name")))
        } else {
            for msg in NameValidation.validatePathSegmentName(name, prefix: false) { errs.append(.invalid(path.child("name"), name, msg)) }
        }
        return errs
    }

    /// validateIngressTLS: hosts are (wildcard) DNS subdomains; secretName, if set, a Secret's name.
    static func validateTLS(_ tls: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, host) in (present(tls["hosts"])?.arrayValue ?? []).enumerated() {
            let value = host.stringValue ?? ""
            let messages = value.contains("*") ? NameValidation.isWildcardDNS1123Subdomain(value) : NameValidation.isDNS1123Subdomain(value)
            for msg in messages { errs.append(.invalid(path.child("hosts").index(i), value, msg)) }
        }
        if let secret = tls["secretName"]?.stringValue, !secret.isEmpty {
            for msg in NameValidation.isDNS1123Subdomain(secret) { errs.append(.invalid(path.child("secretName"), secret, msg)) }
        }
        return errs
    }
}
