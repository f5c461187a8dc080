import APIMachinery

/// Upstream's validation of probes and lifecycle hooks (validateProbe, validateHandler and the
/// per-probe rules of validateLivenessProbe / validateReadinessProbe / validateStartupProbe).
enum ProbeValidation {
    enum Kind { case liveness, readiness, startup }

    static func validateProbe(_ probe: JSON?, _ path: FieldPath, kind: Kind) -> [FieldError] {
        guard let probe, probe.objectValue != nil else { return [] }
        var errs = validateHandler(probe, path, types: ["exec", "httpGet", "tcpSocket", "grpc"])
        for key in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
            errs += FieldValidation.nonnegative(probe[key], path.child(key))
        }
        if let grace = probe["terminationGracePeriodSeconds"]?.intValue, grace <= 0 {
            errs.append(.invalid(path.child("terminationGracePeriodSeconds"), probe["terminationGracePeriodSeconds"], "must be greater than 0"))
        }
        switch kind {
        case .readiness:
            if let grace = probe["terminationGracePeriodSeconds"], grace != .null {
                errs.append(.invalid(path.child("terminationGracePeriodSeconds"), grace, "must not be set for readinessProbes"))
            }
        case .liveness, .startup:
            if let threshold = probe["successThreshold"]?.intValue, threshold != 1 {
                errs.append(.invalid(path.child("successThreshold"), probe["successThreshold"], "must be 1"))
            }
        }
        return errs
    }

    static func validateLifecycle(_ lifecycle: JSON?, _ path: FieldPath) -> [FieldError] {
        guard let lifecycle, lifecycle.objectValue != nil else { return [] }
        var errs: [FieldError] = []
        for hook in ["postStart", "preStop"] {
            if let handler = lifecycle[hook], handler.objectValue != nil {
                errs += validateHandler(handler, path.child(hook), types: ["exec", "httpGet", "tcpSocket", "sleep"])
            }
        }
        return errs
    }

    /// Exactly one handler type, each checked as upstream does.
    static func validateHandler(_ handler: JSON, _ path: FieldPath, types: [String]) -> [FieldError] {
        var errs: [FieldError] = []
        var count = 0
        for type in types {
            guard let action = handler[type], action != .null else { continue }
            let p = path.child(type)
            if count > 0 {
                errs.append(.forbidden(p, "may not specify more than 1 handler type"))
                continue
            }
            count += 1
            switch type {
            case "exec":
                if action.array("command").isEmpty { errs.append(.required(p.child("command"), "")) }
            case "httpGet":
                if action.string("path").isEmpty { errs.append(.required(p.child("path"), "")) }
                errs += FieldValidation.portNumOrName(action["port"], p.child("port"))
                errs += FieldValidation.enumValue(action["scheme"], ["HTTP", "HTTPS"], p.child("scheme"), required: false)
                if let scheme = action["scheme"], scheme.stringValue == "" {
                    errs.append(.notSupported(p.child("scheme"), scheme, ["HTTP", "HTTPS"]))
                }
            case "tcpSocket":
                errs += FieldValidation.portNumOrName(action["port"], p.child("port"))
            case "grpc":
                let port = action["port"]?.intValue ?? 0
                errs += NameValidation.isValidPortNum(port).map { .invalid(p.child("port"), action["port"] ?? 0, $0) }
            case "sleep":
                let seconds = action["seconds"]?.intValue ?? 0
                if seconds < 0 {
                    errs.append(.invalid(p.child("seconds"), action["seconds"], "must be non-negative"))
                }
            default:
                break
            }
        }
        if count == 0 { errs.append(.required(path, "must specify a handler type")) }
        return errs
    }
}
