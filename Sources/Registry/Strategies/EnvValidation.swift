import APIMachinery

/// Upstream ValidateEnv and ValidateEnvFrom, with the RelaxedEnvironmentVariableValidation
/// feature (beta, on by default in 1.32): a name is any printable ASCII other than `=`.
enum EnvValidation {
    static let relaxedEnvVarNameMsg = "a valid environment variable name must consist only of printable ASCII characters other than '='"
    static let downwardAPIEnvFields = [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ]

    static func validateEnv(_ vars: [JSON], _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, env) in vars.enumerated() {
            let p = path.index(i)
            let name = env.string("name")
            if name.isEmpty { errs.append(.required(p.child("name"), "")) }
            errs += relaxedEnvVarName(name).map { .invalid(p.child("name"), name, $0) }
            errs += validateValueFrom(env, p.child("valueFrom"))
        }
        return errs
    }

    /// Upstream IsRelaxedEnvVarName.
    static func relaxedEnvVarName(_ name: String) -> [String] {
        if name.isEmpty { return ["environment variable name must be non-empty"] }
        let bad = name.unicodeScalars.contains { $0.value < 0x20 || $0.value > 0x7e || $0 == "=" }
        return bad ? [relaxedEnvVarNameMsg] : []
    }

    static func validateValueFrom(_ env: JSON, _ path: FieldPath) -> [FieldError] {
        guard let from = env["valueFrom"], from.objectValue != nil else { return [] }
        var errs: [FieldError] = []
        var sources = 0
        if let ref = from["fieldRef"], ref != .null {
            sources += 1
            errs += validateFieldRef(ref, path.child("fieldRef"))
        }
        if let ref = from["resourceFieldRef"], ref != .null {
            sources += 1
            if ref.string("resource").isEmpty { errs.append(.required(path.child("resourceFieldRef").child("resource"), "")) }
        }
        for key in ["configMapKeyRef", "secretKeyRef"] {
            guard let ref = from[key], ref != .null else { continue }
            sources += 1
            let p = path.child(key)
            let name = ref.string("name")
            errs += NameValidation.isDNS1123Subdomain(name).map { .invalid(p.child("name"), name, $0) }
            let k = ref.string("key")
            if k.isEmpty {
                errs.append(.required(p.child("key"), ""))
            } else {
                errs += NameValidation.isConfigMapKey(k).map { .invalid(p.child("key"), k, $0) }
            }
        }
        if sources == 0 {
            errs.append(.invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
        } else if !env.string("value").isEmpty {
            errs.append(.invalid(path, "", "may not be specified when `value` is not empty"))
        } else if sources > 1 {
            errs.append(.invalid(path, "", "may not have more than one field specified at a time"))
        }
        return errs
    }

    /// Upstream validateObjectFieldSelector for environment variables.
    static func validateFieldRef(_ ref: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        let apiVersion = ref.string("apiVersion")
        let fieldPath = ref.string("fieldPath")
        if apiVersion.isEmpty { errs.append(.required(path.child("apiVersion"), "")) }
        if fieldPath.isEmpty {
            errs.append(.required(path.child("fieldPath"), ""))
        } else if !(downwardAPIEnvFields.contains(fieldPath)
            || fieldPath.hasPrefix("metadata.labels[") || fieldPath.hasPrefix("metadata.annotations[")) {
            errs.append(.notSupported(path.child("fieldPath"), .string(fieldPath), downwardAPIEnvFields))
        }
        return errs
    }

    static func validateEnvFrom(_ sources: [JSON], _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, source) in sources.enumerated() {
            let p = path.index(i)
            let prefix = source.string("prefix")
            if !prefix.isEmpty {
                errs += relaxedEnvVarName(prefix).map { .invalid(p.child("prefix"), prefix, $0) }
            }
            var count = 0
            for key in ["configMapRef", "secretRef"] {
                guard let ref = source[key], ref != .null else { continue }
                count += 1
                let name = ref.string("name")
                if name.isEmpty {
                    errs.append(.required(p.child(key).child("name"), ""))
                } else {
                    errs += NameValidation.isDNS1123Subdomain(name).map { .invalid(p.child(key).child("name"), name, $0) }
                }
            }
            if count == 0 {
                errs.append(.invalid(p, "", "must specify one of: `configMapRef` or `secretRef`"))
            } else if count > 1 {
                errs.append(.invalid(p, "", "may not have more than one field specified at a time"))
            }
        }
        return errs
    }
}
