import APIMachinery

/// Upstream ValidatePodSpec (the parts Kubelite's workloads exercise): volumes, containers and
/// init containers, restart and DNS policies, node selector, tolerations, host names and the
/// scheduling fields.
enum PodSpecValidation {
    static let restartPolicies = ["Always", "OnFailure", "Never"]
    static let dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
    static let taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"]

    /// `extraVolumes` are names that mounts may reference besides `spec.volumes` (a StatefulSet's
    /// volumeClaimTemplates).
    static func validate(_ spec: JSON, _ path: FieldPath, extraVolumes: Set<String> = []) -> [FieldError] {
        var (volumes, errs) = VolumeValidation.validateVolumes(spec.array("volumes"), path.child("volumes"))
        volumes.formUnion(extraVolumes)
        errs += validateContainers(spec, volumes: volumes, path)
        errs += enumValue(spec["restartPolicy"], restartPolicies, path.child("restartPolicy"))
        errs += enumValue(spec["dnsPolicy"], dnsPolicies, path.child("dnsPolicy"))
        errs += ObjectMetaValidation.validateLabels(spec["nodeSelector"], path: path.child("nodeSelector"))
        for (i, secret) in spec.array("imagePullSecrets").enumerated() where secret.string("name").isEmpty {
            errs.append(.required(path.child("imagePullSecrets").index(i).child("name"), ""))
        }
        let serviceAccount = spec.string("serviceAccountName")
        if !serviceAccount.isEmpty {
            errs += NameValidation.isDNS1123Subdomain(serviceAccount).map { .invalid(path.child("serviceAccountName"), serviceAccount, $0) }
        }
        let nodeName = spec.string("nodeName")
        if !nodeName.isEmpty {
            errs += NameValidation.isDNS1123Subdomain(nodeName).map { .invalid(path.child("nodeName"), nodeName, $0) }
        }
        if let deadline = spec["activeDeadlineSeconds"], let v = deadline.intValue, !(1...Int64(Int32.max)).contains(v) {
            errs.append(.invalid(path.child("activeDeadlineSeconds"), deadline, NameValidation.inclusiveRangeError(1, Int64(Int32.max))))
        }
        for key in ["hostname", "subdomain"] where !spec.string(key).isEmpty {
            errs += FieldValidation.dns1123Label(spec.string(key), path.child(key))
        }
        errs += validateTolerations(spec.array("tolerations"), path.child("tolerations"))
        if let policy = spec["preemptionPolicy"], policy != .null {
            errs += enumValue(policy, ["PreemptLowerPriority", "Never"], path.child("preemptionPolicy"))
        }
        let priorityClass = spec.string("priorityClassName")
        if !priorityClass.isEmpty {
            errs += NameValidation.isDNS1123Subdomain(priorityClass).map { .invalid(path.child("priorityClassName"), priorityClass, $0) }
        }
        return errs
    }

    /// NotSupported lists the values in upstream's order, not sorted, for these enums.
    static func enumValue(_ value: JSON?, _ supported: [String], _ path: FieldPath) -> [FieldError] {
        FieldValidation.enumValue(value, supported, path)
    }

    static func validateContainers(_ spec: JSON, volumes: Set<String>, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        let containers = spec.array("containers")
        var names = Set<String>()
        if containers.isEmpty { errs.append(.required(path.child("containers"), "")) }
        for (i, c) in containers.enumerated() {
            let p = path.child("containers").index(i)
            errs += ContainerValidation.validate(c, volumes: volumes, path: p, isInit: false)
            let name = c.string("name")
            if names.contains(name) { errs.append(.duplicate(p.child("name"), .string(name))) } else { names.insert(name) }
        }
        for (i, c) in spec.array("initContainers").enumerated() {
            let p = path.child("initContainers").index(i)
            errs += ContainerValidation.validate(c, volumes: volumes, path: p, isInit: true)
            let name = c.string("name")
            if names.contains(name) { errs.append(.duplicate(p.child("name"), .string(name))) } else { names.insert(name) }
            if let policy = c["restartPolicy"], policy != .null, policy.stringValue != "Always" {
                errs.append(.notSupported(p.child("restartPolicy"), policy, ["Always"]))
            }
            for probe in ["livenessProbe", "readinessProbe", "startupProbe", "lifecycle"]
            where c[probe] != nil && c[probe] != .null && c["restartPolicy"]?.stringValue != "Always" {
                errs.append(.forbidden(p.child(probe), "may not be set for init containers without restartPolicy=Always"))
            }
        }
        return errs
    }

    /// Upstream ValidateTolerations.
    static func validateTolerations(_ tolerations: [JSON], _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, t) in tolerations.enumerated() {
            let p = path.index(i)
            let key = t.string("key")
            let op = t.string("operator")
            let effect = t.string("effect")
            if !key.isEmpty { errs += ObjectMetaValidation.validateLabelName(key, path: p.child("key")) }
            if key.isEmpty && op != "Exists" {
                errs.append(.invalid(p.child("operator"), op,
                                     "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
            }
            if let seconds = t["tolerationSeconds"], seconds != .null, effect != "NoExecute" {
                errs.append(.invalid(p.child("effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
            }
            switch op {
            case "Equal", "":
                let msgs = NameValidation.isValidLabelValue(t.string("value"))
                if !msgs.isEmpty { errs.append(.invalid(p.child("operator"), t.string("value"), msgs.joined(separator: ";"))) }
            case "Exists":
                if !t.string("value").isEmpty {
                    errs.append(.invalid(p.child("operator"), t, "value must be empty when `operator` is 'Exists'"))
                }
            default:
                errs.append(.notSupported(p.child("operator"), .string(op), ["Equal", "Exists"]))
            }
            if !effect.isEmpty, !taintEffects.contains(effect) {
                errs.append(.notSupported(p.child("effect"), .string(effect), taintEffects))
            }
        }
        return errs
    }
}
